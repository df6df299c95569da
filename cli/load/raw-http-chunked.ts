// The body of a chunked HTTP/1.1 response, read byte by byte as it arrives: chunk sizes (extensions
// skipped), the data (counted, not kept), the CRLF after each chunk, and the trailers.

/** A reader consumed everything it was given and what it reads is not complete yet. */
export const NEED_MORE = -1
/** A reader found bytes it cannot frame; its `problem` says why. The connection is unusable. */
export const MALFORMED = -2
/** Larger response heads (or trailers) are refused: a sane server never sends one, a broken one might forever. */
export const MAX_HEAD_BYTES = 64 * 1024

const SIZE = 0
const SIZE_LINE = 1
const DATA = 2
const DATA_CR = 3
const DATA_LF = 4
const TRAILER_LINE_START = 5
const TRAILER_LINE = 6
const TRAILER_END_LF = 7

const CR = 13
const LF = 10
const SP = 32
const HTAB = 9
/** Chunk sizes beyond 2^48 bytes are nonsense, and more hex digits would lose precision. */
const MAX_SIZE_DIGITS = 12
const MAX_SIZE_LINE = 4096

/** -1 when not a hex digit. */
function hexValue (b: number): number {
  if (b >= 48 && b <= 57) return b - 48
  const lower = b | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

export class ChunkedBody {
  dataBytes = 0
  problem = ''
  #state = SIZE
  #remaining = 0
  #digits = 0
  #lineBytes = 0

  reset (): void {
    this.#state = SIZE
    this.#remaining = 0
    this.#digits = 0
    this.dataBytes = 0
  }

  /** Reads buf[pos, end): returns the offset just past the body's end (trailers included), NEED_MORE or MALFORMED. */
  read (buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      if (this.#state === DATA) {
        const n = Math.min(this.#remaining, end - pos)
        this.#remaining -= n
        this.dataBytes += n
        pos += n
        if (this.#remaining === 0) this.#state = DATA_CR
        continue
      }
      const b = buf[pos++] as number
      switch (this.#state) {
        case SIZE: {
          const d = hexValue(b)
          if (d >= 0) {
            if (++this.#digits > MAX_SIZE_DIGITS) return this.#fail('chunk size too large')
            this.#remaining = this.#remaining * 16 + d
            break
          }
          if (this.#digits === 0 || (b !== 59 && b !== SP && b !== HTAB && b !== CR && b !== LF)) return this.#fail('malformed chunk size')
          this.#state = SIZE_LINE
          this.#lineBytes = 0
          if (b === LF) pos--
          break
        }
        case SIZE_LINE:
          // The rest of the size line: extensions are skipped, whatever they say.
          if (b === LF) {
            this.#state = this.#remaining === 0 ? TRAILER_LINE_START : DATA
            this.#lineBytes = 0
          } else if (++this.#lineBytes > MAX_SIZE_LINE) {
            return this.#fail('chunk extension too long')
          }
          break
        case DATA_CR:
          if (b !== CR) return this.#fail('chunk data longer than its size')
          this.#state = DATA_LF
          break
        case DATA_LF:
          if (b !== LF) return this.#fail('chunk data longer than its size')
          this.#state = SIZE
          this.#remaining = 0
          this.#digits = 0
          break
        case TRAILER_LINE_START:
          if (b === LF) return pos
          this.#state = b === CR ? TRAILER_END_LF : TRAILER_LINE
          if (++this.#lineBytes > MAX_HEAD_BYTES) return this.#fail('trailers over 64 KiB')
          break
        case TRAILER_LINE:
          if (b === LF) this.#state = TRAILER_LINE_START
          if (++this.#lineBytes > MAX_HEAD_BYTES) return this.#fail('trailers over 64 KiB')
          break
        case TRAILER_END_LF:
          return b === LF ? pos : this.#fail('malformed end of trailers')
      }
    }
    return NEED_MORE
  }

  #fail (problem: string): number {
    this.problem = problem
    return MALFORMED
  }
}
