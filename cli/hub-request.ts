// GETs a management route of the hub for a CLI command, turning each way it can fail into one sentence
// that says what to do: hub unreachable, a problem+json answer, or an answer that is not the hub's.
import { request } from 'undici'
import { problemSchema } from '../contracts/errors.js'

export class HubRequestError extends Error {
  constructor (message: string, readonly status?: number) {
    super(message)
    this.name = 'HubRequestError'
  }
}

const MAX_ANSWER_BYTES = 32 * 1024 * 1024

/** Hints for the problems a person can fix from the command line. */
const hints: Readonly<Record<string, string>> = {
  'admin.unauthenticated': 'pass the hub\'s admin token with --admin-token or NDXP_ADMIN_TOKEN',
  'client.bad_request': 'check the options',
}

export async function getHubJson (hubUrl: string, pathAndQuery: string, adminToken: string, timeoutMs = 10_000): Promise<unknown> {
  const url = new URL(pathAndQuery, hubUrl)
  let response
  try {
    response = await request(url, {
      method: 'GET',
      headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message
    throw new HubRequestError(`cannot reach the hub at ${url.origin} (${code}): is it running? Start it with 'ndxp up', or pass --hub <url>`)
  }
  const length = Number(response.headers['content-length'] ?? 0)
  if (length > MAX_ANSWER_BYTES) {
    await response.body.dump()
    throw new HubRequestError(`the hub's answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB: narrow the range or the grouping`)
  }
  const text = await response.body.text()
  const type = String(response.headers['content-type'] ?? '')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new HubRequestError(`${url.origin} answered ${response.statusCode} with ${type === '' ? 'no content type' : type}, not JSON: is --hub pointing at an ndxp hub?`, response.statusCode)
  }
  if (response.statusCode >= 400) {
    const problem = problemSchema.safeParse(body)
    if (!problem.success) throw new HubRequestError(`${url.origin} answered ${response.statusCode} without a problem description: is --hub pointing at an ndxp hub?`, response.statusCode)
    const { type: code, detail, errors } = problem.data
    const where = errors === undefined ? '' : ` (${errors.map((e) => `${e.path}: ${e.message}`).join('; ')})`
    const hint = hints[code] === undefined ? '' : `; ${hints[code]}`
    throw new HubRequestError(`the hub answered ${response.statusCode} ${code}: ${detail}${where}${hint}`, response.statusCode)
  }
  return body
}
