// Command-line flags shared by the subcommands, mapped onto the NDXP_* settings they override.
import { parseArgs } from 'node:util'
import { loadSettings, SettingsError, type Settings } from '../common/config.js'
import { prepareDataDir } from '../common/data-dir.js'

const sharedFlags = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  seed: { type: 'string' },
  population: { type: 'string' },
  'admin-token': { type: 'string' },
  'log-level': { type: 'string' },
  faults: { type: 'string' },
  store: { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-prefix': { type: 'string' },
  'rate-limit-fallback': { type: 'string' },
  'gateway-id': { type: 'string' },
} as const

const settingOfFlag: Record<string, keyof Settings> = {
  host: 'NDXP_HOST',
  'data-dir': 'NDXP_DATA_DIR',
  seed: 'NDXP_DATASET_SEED',
  population: 'NDXP_POPULATION',
  'admin-token': 'NDXP_ADMIN_TOKEN',
  'log-level': 'NDXP_LOG_LEVEL',
  faults: 'NDXP_FAULTS',
  store: 'NDXP_STORE',
  'redis-url': 'NDXP_REDIS_URL',
  'redis-prefix': 'NDXP_REDIS_PREFIX',
  'rate-limit-fallback': 'NDXP_RATE_LIMIT_FALLBACK',
  'gateway-id': 'NDXP_GATEWAY_ID',
}

export interface ParsedCommand {
  settings: Settings
  values: Record<string, string | undefined>
  /** The settings the flags gave, as NDXP_* variables (what `ndxp up` hands its components). */
  overrides: Partial<Record<keyof Settings, string>>
}

/**
 * Parses flags (shared ones plus the command's own), validates the resulting settings and makes the
 * data directory ready. `notTaken` names shared flags this command has no use for, each with what
 * to use instead: given, they stop the command rather than being silently ignored.
 */
export function parseCommand (args: string[], own: Record<string, { type: 'string' }> = {}, notTaken: Record<string, string> = {}): ParsedCommand {
  const { values } = parseArgs({ args, options: { ...sharedFlags, ...own }, strict: true, allowPositionals: false })
  for (const [flag, instead] of Object.entries(notTaken)) {
    if ((values as Record<string, string | undefined>)[flag] !== undefined) throw new SettingsError(`--${flag} does not apply here: ${instead}`)
  }
  const overrides: Partial<Record<keyof Settings, string>> = {}
  for (const [flag, setting] of Object.entries(settingOfFlag)) {
    const value = (values as Record<string, string | undefined>)[flag]
    if (value !== undefined) overrides[setting] = value
  }
  const settings = loadSettings(process.env, overrides)
  prepareDataDir(settings.NDXP_DATA_DIR)
  return { settings, values: values as Record<string, string | undefined>, overrides }
}

/** A port in plain decimal: '', '0x4790' or '1e3' are refused rather than read as 0 or a surprise. */
export function parsePort (text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!(port >= 0 && port <= 65_535)) throw new SettingsError(`--${flag} must be a port number 0–65535 (0: any free port), got '${text}'`)
  return port
}
