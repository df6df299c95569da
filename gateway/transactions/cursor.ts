// Opaque page cursors: the keyset position (requestInTs, tie-breaker) of the last item served, base64url.
// A keyset rather than an offset keeps pages stable while new transactions arrive. Each cursor names
// the kind of store that issued it (the tie-breakers mean different things) and carries a check, so a
// cursor cut short or mistyped is refused instead of paging from a wrong place.
import { createHash } from 'node:crypto'
import { NdxpError } from '../../contracts/errors.js'

export interface CursorPosition {
  /** requestInTs of the last item served. */
  readonly ts: number
  /** The backend's tie-breaker among items with equal requestInTs (a sequence number in SQLite). */
  readonly tie: number
}

/** Which kind of store issued a cursor: `s` SQLite, `r` Redis. */
export type CursorIssuer = 's' | 'r'

const CURSOR = /^c2\.([sr])\.(\d{1,16})\.(\d{1,16})\.([A-Za-z0-9_-]{8})$/

// A check against accidents (truncation, typos, another store's cursor), not a secret: the position
// in a cursor is no more than what the page it came with shows.
const check = (payload: string): string => createHash('sha256').update(payload).digest('base64url').slice(0, 8)

export function encodeCursor (position: CursorPosition, issuer: CursorIssuer): string {
  const payload = `c2.${issuer}.${position.ts}.${position.tie}`
  return Buffer.from(`${payload}.${check(payload)}`).toString('base64url')
}

/** Anything but a cursor this kind of store issued is refused: it would otherwise page from a wrong place. */
export function decodeCursor (cursor: string, issuer: CursorIssuer): CursorPosition {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('latin1') : ''
  const match = CURSOR.exec(text)
  const ts = Number(match?.[2])
  const tie = Number(match?.[3])
  const intact = match !== null && match[1] === issuer && check(text.slice(0, text.lastIndexOf('.'))) === match[4]
  if (!intact || !Number.isSafeInteger(ts) || !Number.isSafeInteger(tie)) {
    throw new NdxpError('client.bad_request', 'Malformed cursor: pass the nextCursor of the previous page unchanged, or leave cursor out to start from the newest transaction.', {
      fieldErrors: [{ path: 'querystring.cursor', message: 'is not a cursor this server issued' }],
    })
  }
  return { ts, tie }
}
