// `ndxp stats`: the hub's transaction counts (GET /v1/stats) as an aligned table — grouped by client,
// service, provider, status or outcome, per minute/hour/day or in total — so a load test can be
// checked against what the hub recorded.
import { parseArgs } from 'node:util'
import { loadSettings, SettingsError } from '../common/config.js'
import { statsDimensions, statsResultSchema, type StatsResult } from '../contracts/transaction.js'
import { durationMs } from './load/durations.js'
import { isUsageError, processIo, UsageError, type CommandIo } from './command-io.js'
import { getHubJson, HubRequestError } from './hub-request.js'
import { formatMs, formatTable, type Cell, type Column } from './table.js'

export const statsUsage = `usage: ndxp stats [options]

  --hub <url>            the hub (default NDXP_HUB_URL, else http://<NDXP_HOST>:<NDXP_HUB_PORT>)
  --admin-token <token>  the hub's admin token (default NDXP_ADMIN_TOKEN)
  --from <time>          ISO date-time, or -15m / -2h / -1d before now (default: an hour before --to)
  --to <time>            ISO date-time, -<duration>, or now (default: now)
  --group-by <dims>      comma-separated: ${statsDimensions.join(', ')}
  --interval <i>         total (default), minute, hour or day (days are UTC)
  --client <id>          only this client subsystem, e.g. VN/GOV/000.00.00.H49/DVCTINH
  --service <id>         only this service, e.g. VN/GOV/000.00.00.G01/CSDLQGDC/citizens
  --member <code>        only exchanges with this member on either side
  --json                 print the hub's answer as JSON`

/** ISO, epoch ms, `now`, or `-15m` (before now). */
export function parseTime (text: string, flag: string, now: number): number {
  const trimmed = text.trim()
  if (trimmed === 'now') return now
  if (trimmed.startsWith('-')) {
    const days = /^-(\d+(?:\.\d+)?)d$/.exec(trimmed)
    const ms = days === null ? durationMs(trimmed.slice(1)) : Number(days[1]) * 86_400_000
    if (ms !== undefined) return now - ms
  } else if (/^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) {
    return Date.parse(trimmed)
  } else if (/^\d{10,15}$/.test(trimmed)) {
    return Number(trimmed)
  }
  throw new UsageError(`--${flag} must be an ISO date-time (2026-03-01T08:00:00+07:00), -15m / -2h / -1d before now, or now; got '${text}'`)
}

function buildQuery (values: Record<string, string | boolean | undefined>, now: number): URLSearchParams {
  const query = new URLSearchParams()
  const text = (name: string): string | undefined => values[name] as string | undefined
  const to = text('to') === undefined ? undefined : parseTime(text('to') as string, 'to', now)
  const from = text('from') === undefined ? undefined : parseTime(text('from') as string, 'from', now)
  if (from !== undefined && to !== undefined && from >= to) throw new UsageError('--from must be before --to')
  if (from !== undefined) query.set('from', String(from))
  if (to !== undefined) query.set('to', String(to))
  const groupBy = text('group-by')
  if (groupBy !== undefined) {
    const bad = groupBy.split(',').map((d) => d.trim()).filter((d) => d !== '' && !(statsDimensions as readonly string[]).includes(d))
    if (bad.length > 0) throw new UsageError(`--group-by accepts ${statsDimensions.join(', ')} (comma-separated); not ${bad.join(', ')}`)
    query.set('groupBy', groupBy.split(',').map((d) => d.trim()).filter((d) => d !== '').join(','))
  }
  const interval = text('interval')
  if (interval !== undefined) {
    if (!['total', 'minute', 'hour', 'day'].includes(interval)) throw new UsageError(`--interval must be total, minute, hour or day; got '${interval}'`)
    query.set('interval', interval)
  }
  for (const name of ['client', 'service', 'member']) if (text(name) !== undefined) query.set(name, text(name) as string)
  return query
}

function isoMinute (ms: number): string {
  return new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z').replace('T', ' ')
}

export function formatStats (stats: StatsResult): string {
  const timed = stats.interval !== 'total'
  const labels: Column[] = [
    ...(timed ? [{ title: `${stats.interval} (UTC)`, align: 'left' } as const] : []),
    ...stats.groupBy.map((d) => ({ title: d, align: 'left' } as const)),
  ]
  // Ungrouped totals still get a label column, so the totals row reads as one.
  if (labels.length === 0) labels.push({ title: '', align: 'left' })
  const columns: Column[] = [...labels, { title: 'count' }, { title: 'succeeded' }, { title: 'failed' }, { title: 'p50' }, { title: 'p90' }, { title: 'p99' }, { title: 'max' }]
  const rows: Cell[][] = stats.rows.map((row) => {
    const names: Cell[] = [...(timed ? [isoMinute(row.start)] : []), ...stats.groupBy.map((d) => (row[d] === undefined || row[d] === '' ? '(none)' : row[d]))]
    const l = row.latencyMs
    return [...(names.length === 0 ? ['all'] : names), row.count, row.succeeded, row.failed, formatMs(l.p50), formatMs(l.p90), formatMs(l.p99), formatMs(l.max)]
  })
  if (stats.groupBy.length > 0 || timed || stats.rows.length === 0) rows.push(['total', ...Array<Cell>(labels.length - 1).fill(''), stats.totals.count, stats.totals.succeeded, stats.totals.failed, '', '', '', ''])
  const by = stats.groupBy.length === 0 ? '' : `, by ${stats.groupBy.join(', ')}`
  return `transactions from ${isoMinute(stats.from)} to ${isoMinute(stats.to)} UTC${timed ? `, per ${stats.interval}` : ''}${by}\n${formatTable(columns, rows)}`
}

/** `--from -15m` as `--from=-15m`: parseArgs takes a value starting with a dash for a flag otherwise. */
function joinRelativeTimes (args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const next = args[i + 1]
    if ((arg === '--from' || arg === '--to') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else {
      out.push(arg)
    }
  }
  return out
}

/** Runs the command; returns the exit code (0 done, 1 the hub failed us, 2 bad usage). */
export async function statsCommand (args: string[], io: CommandIo = processIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>
  let hub: string
  let token: string
  let query: URLSearchParams
  try {
    values = parseArgs({
      args: joinRelativeTimes(args),
      strict: true,
      allowPositionals: false,
      options: {
        hub: { type: 'string' }, 'admin-token': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'group-by': { type: 'string' },
        interval: { type: 'string' }, client: { type: 'string' }, service: { type: 'string' }, member: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }).values
    if (values.help === true) { io.out(statsUsage); return 0 }
    const settings = loadSettings(io.env, values['admin-token'] === undefined ? {} : { NDXP_ADMIN_TOKEN: values['admin-token'] as string })
    hub = (values.hub as string | undefined) ?? settings.NDXP_HUB_URL ?? `http://${settings.NDXP_HOST}:${settings.NDXP_HUB_PORT}`
    if (!/^https?:\/\/[^/]+/.test(hub) || !URL.canParse(hub)) throw new UsageError(`--hub must be an http(s) URL like http://127.0.0.1:8080; got '${hub}'`)
    token = settings.NDXP_ADMIN_TOKEN
    query = buildQuery(values, io.now())
  } catch (error) {
    if (isUsageError(error) || error instanceof SettingsError) {
      io.err(`ndxp stats: ${(error as Error).message}\n\n${statsUsage}`)
      return 2
    }
    throw error
  }
  try {
    const answer = await getHubJson(hub, `/v1/stats?${query.toString()}`, token)
    const stats = statsResultSchema.safeParse(answer)
    if (!stats.success) throw new HubRequestError(`${hub} answered with something other than stats: is --hub pointing at an ndxp hub?`)
    io.out(values.json === true ? JSON.stringify(stats.data, null, 2) : formatStats(stats.data))
    return 0
  } catch (error) {
    if (!(error instanceof HubRequestError)) throw error
    io.err(`ndxp stats: ${error.message}`)
    return 1
  }
}

export async function runStats (args: string[]): Promise<void> {
  process.exitCode = await statsCommand(args)
}
