// Opaque page cursors: the keyset position (requestInTs, tie-breaker) of the last item served, base64url.
// A keyset rather than an offset keeps pages stable while new transactions arrive.
import { NdxpError } from '../../contracts/errors.js'

export interface CursorPosition {
  /** requestInTs of the last item served. */
  readonly ts: number
  /** The backend's tie-breaker among items with equal requestInTs (a sequence number in SQLite). */
  readonly tie: number
}

const VERSION = 'c1'
const CURSOR = /^c1\.(\d{1,16})\.(\d{1,16})$/

export function encodeCursor (position: CursorPosition): string {
  return Buffer.from(`${VERSION}.${position.ts}.${position.tie}`).toString('base64url')
}

/** Anything but a cursor this module made is refused: it would otherwise page from a wrong place. */
export function decodeCursor (cursor: string): CursorPosition {
  const match = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('latin1')) : null
  const ts = Number(match?.[1])
  const tie = Number(match?.[2])
  if (match === null || !Number.isSafeInteger(ts) || !Number.isSafeInteger(tie)) {
    throw new NdxpError('client.bad_request', 'Malformed cursor: pass the nextCursor of the previous page unchanged, or leave cursor out to start from the newest transaction.', {
      fieldErrors: [{ path: 'querystring.cursor', message: 'is not a cursor this server issued' }],
    })
  }
  return { ts, tie }
}
