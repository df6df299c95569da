// A local file the transaction writer falls back to while its store is unreachable: batches the
// store refused for being down are appended (fsync'd) as JSON lines, and replayed once it is back.
// Replay relies on the store's idempotent append: a crash between a replayed append and deleting the
// file replays it again, and the store skips the ids it already has, so nothing is counted twice.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { TransactionRecord } from '../../contracts/transaction.js'

export interface SpoolLogger {
  warn (details: object, message: string): void
  error (details: object, message: string): void
}

const SEGMENT = /^spool-(\d{13})-(\d{6})\.jsonl$/

export class TransactionSpool {
  private fd: number | undefined
  private segment: string | undefined
  private sequence = 0
  private records = 0

  /** `write` is Node's writeSync; tests hand in one that fills the disk part-way. */
  constructor (private readonly dir: string, private readonly logger: SpoolLogger, private readonly writeBytes: typeof writeSync = writeSync) {
    mkdirSync(dir, { recursive: true })
    // Segments left by an earlier process (stopped while its store was down) are delivered too.
    for (const file of this.segments()) this.records += countLines(join(dir, file))
  }

  /** Records waiting in the spool (for /metrics and /readyz). */
  get size (): number {
    return this.records
  }

  /** Appends and syncs to disk before returning: once this returns, a crash loses nothing. */
  write (records: readonly TransactionRecord[]): void {
    if (records.length === 0) return
    if (this.fd === undefined) {
      this.segment = `spool-${String(Date.now()).padStart(13, '0')}-${String(this.sequence++ % 1_000_000).padStart(6, '0')}.jsonl`
      this.fd = openSync(join(this.dir, this.segment), 'a', 0o600)
    }
    let text = ''
    for (const record of records) text += `${JSON.stringify(record)}\n`
    const bytes = Buffer.from(text)
    const before = fstatSync(this.fd).size
    try {
      // A nearly full disk takes part of a write without an error: the rest must follow, or fail.
      for (let written = 0; written < bytes.length;) written += this.writeBytes(this.fd, bytes, written, bytes.length - written)
      fsyncSync(this.fd)
    } catch (error) {
      // Not a line of this batch stays: the caller keeps it all (in memory) and retries.
      ftruncateSync(this.fd, before)
      throw error
    }
    this.records += records.length
  }

  /**
   * Delivers every segment through `append`, oldest first, in batches; deletes each segment once all
   * of it is stored. Stops at the first failure (the rest stays for the next attempt) and rethrows.
   */
  async replay (append: (records: TransactionRecord[]) => Promise<void>, batchSize: number): Promise<number> {
    this.seal()
    let delivered = 0
    for (const file of this.segments()) {
      const path = join(this.dir, file)
      const lines = countLines(path)
      const records = this.read(path)
      for (let i = 0; i < records.length; i += batchSize) await append(records.slice(i, i + batchSize))
      unlinkSync(path)
      delivered += records.length
      this.records = Math.max(0, this.records - lines)
    }
    return delivered
  }

  /** Closes the open segment so that replay (or the next process) can take it whole. */
  seal (): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
    this.segment = undefined
  }

  /** Seals the segment; an empty spool leaves no directory behind. */
  close (): void {
    this.seal()
    if (this.segments().length === 0) removeIfEmpty(this.dir)
  }

  private segments (): string[] {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir).filter((name) => SEGMENT.test(name) && name !== this.segment).sort()
  }

  /** A line cut short by a crash mid-write was never acknowledged; it is skipped, loudly. */
  private read (path: string): TransactionRecord[] {
    const records: TransactionRecord[] = []
    const lines = readFileSync(path, 'utf8').split('\n')
    for (const [index, line] of lines.entries()) {
      if (line === '') continue
      try {
        records.push(JSON.parse(line) as TransactionRecord)
      } catch {
        this.logger.error({ file: path, line: index + 1, bytes: line.length }, 'unreadable line in the transaction spool (cut short by a crash?); skipped')
      }
    }
    return records
  }
}

/**
 * Moves the segments of spools whose process has ended into `into`, so that a hub restarted under a
 * new gateway id (the default one holds the pid) still delivers what its earlier run spooled.
 * `orphaned` says which sibling directory names belong to an ended process. Returns how many moved.
 */
export function adoptOrphanedSpools (root: string, into: string, orphaned: (name: string) => boolean): number {
  if (!existsSync(root)) return 0
  let moved = 0
  for (const name of readdirSync(root)) {
    const dir = join(root, name)
    if (dir === into || !orphaned(name) || !statSync(dir).isDirectory()) continue
    mkdirSync(into, { recursive: true })
    for (const file of readdirSync(dir).filter((f) => SEGMENT.test(f))) {
      renameSync(join(dir, file), join(into, existsSync(join(into, file)) ? `spool-${file.slice(6, 19)}-${String(moved % 1_000_000).padStart(6, '0')}.jsonl` : file))
      moved++
    }
    removeIfEmpty(dir)
  }
  return moved
}

function removeIfEmpty (dir: string): void {
  try {
    rmdirSync(dir)
  } catch {
    // Something else lives there, or it is gone already: either way there is nothing to remove.
    return undefined
  }
}

function countLines (path: string): number {
  if (statSync(path).size === 0) return 0
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').length
}
