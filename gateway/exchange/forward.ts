// Forwards an authorised call to its provider node over the pooled undici dispatcher, streaming the
// bodies both ways, and maps transport failures onto the hub's error codes.
import { createHash, type Hash } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { errors as undiciErrors, type Dispatcher } from 'undici'
import { NdxpError } from '../../contracts/errors.js'

export interface ForwardRequest {
  readonly origin: string
  readonly path: string
  readonly method: string
  readonly headers: Record<string, string | string[]>
  readonly body: Readable | undefined
  readonly timeoutMs: number
}

/** Counts (and, when asked, digests) the bytes that pass, without buffering them. */
export class MeteredStream extends Transform {
  bytes = 0
  private readonly hash: Hash | undefined

  constructor (digest: boolean, private readonly limit = Number.POSITIVE_INFINITY) {
    super()
    this.hash = digest ? createHash('sha512') : undefined
  }

  override _transform (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    if (this.bytes > this.limit) return callback(new NdxpError('client.payload_too_large', `the request body exceeds ${this.limit} bytes`))
    this.hash?.update(chunk)
    callback(null, chunk)
  }

  digest (): Buffer | undefined {
    return this.hash?.digest()
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

export function transportError (error: unknown, nodeId: string, timeoutMs: number): NdxpError {
  if (error instanceof NdxpError) return error
  const code = (error as { code?: string }).code ?? ''
  if (TIMEOUT_CODES.has(code)) {
    return new NdxpError('server.provider_timeout', `node ${nodeId} did not answer within the service timeout of ${timeoutMs} ms`, { cause: error })
  }
  const reason = error instanceof undiciErrors.ConnectTimeoutError ? 'connection timed out' : code !== '' ? code : (error as Error).message
  return new NdxpError('server.provider_unreachable', `node ${nodeId} could not be reached (${reason}); check that it runs and that its baseUrl is right`, { cause: error })
}

export function forward (dispatcher: Dispatcher, request: ForwardRequest): Promise<Dispatcher.ResponseData> {
  return dispatcher.request({
    origin: request.origin,
    path: request.path,
    method: request.method as Dispatcher.HttpMethod,
    headers: request.headers,
    body: request.body ?? null,
    headersTimeout: request.timeoutMs,
    bodyTimeout: request.timeoutMs,
  })
}
