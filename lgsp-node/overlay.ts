// The write overlay: records a node creates (a newborn's ID, a new card, a birth registration) live
// in SQLite on top of the generated data, survive restarts, and go away with one reset call.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export interface OverlayRecord<T> {
  readonly key: string
  readonly value: T
  readonly createdAt: string
}

export class Overlay {
  private readonly db: Database.Database
  private readonly getStatement: Database.Statement<[string, string]>
  private readonly insertStatement: Database.Statement<[string, string, string, string]>
  private readonly deleteStatement: Database.Statement<[string, string]>
  private readonly countStatement: Database.Statement<[string]>
  private readonly countPrefixStatement: Database.Statement<[string, string, string]>
  private readonly anyPrefixStatement: Database.Statement<[string, string, string]>
  private readonly listPrefixStatement: Database.Statement<[string, string, string, number]>

  /** `path` is a file (created with its folder) or ':memory:'. */
  constructor (path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    // The overlay holds records a caller was told were created: make them durable on commit.
    this.db.pragma('synchronous = FULL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS overlay (
      kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL,
      PRIMARY KEY (kind, key)) WITHOUT ROWID`)
    this.getStatement = this.db.prepare('SELECT key, value, created_at AS createdAt FROM overlay WHERE kind = ? AND key = ?')
    this.insertStatement = this.db.prepare('INSERT OR IGNORE INTO overlay (kind, key, value, created_at) VALUES (?, ?, ?, ?)')
    this.deleteStatement = this.db.prepare('DELETE FROM overlay WHERE kind = ? AND key = ?')
    this.countStatement = this.db.prepare('SELECT count(*) AS count FROM overlay WHERE kind = ?')
    this.countPrefixStatement = this.db.prepare('SELECT count(*) AS count FROM overlay WHERE kind = ? AND key >= ? AND key < ?')
    this.anyPrefixStatement = this.db.prepare('SELECT 1 FROM overlay WHERE kind = ? AND key >= ? AND key < ? LIMIT 1').pluck()
    this.listPrefixStatement = this.db.prepare('SELECT key, value, created_at AS createdAt FROM overlay WHERE kind = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?')
  }

  get<T> (kind: string, key: string): OverlayRecord<T> | undefined {
    const row = this.getStatement.get(kind, key) as { key: string, value: string, createdAt: string } | undefined
    return row === undefined ? undefined : { key: row.key, value: JSON.parse(row.value) as T, createdAt: row.createdAt }
  }

  /** Inserts unless the key exists; returns false (and changes nothing) when it does. */
  insert<T> (kind: string, key: string, value: T, createdAt: Date): boolean {
    return this.insertStatement.run(kind, key, JSON.stringify(value), createdAt.toISOString()).changes === 1
  }

  /** Removes the record if there is one; returns whether there was. */
  delete (kind: string, key: string): boolean {
    return this.deleteStatement.run(kind, key).changes === 1
  }

  count (kind: string): number {
    return (this.countStatement.get(kind) as { count: number }).count
  }

  /** How many keys of a kind start with `prefix` (keys are compared as text). */
  countPrefix (kind: string, prefix: string): number {
    return (this.countPrefixStatement.get(kind, prefix, `${prefix}\uffff`) as { count: number }).count
  }

  /**
   * Records of a kind whose keys start with `prefix`, in key order. Asked on every look-up by person,
   * where the answer is nearly always "none": a single-row probe settles that in a microsecond or
   * two, where fetching the (empty) list costs several times more in better-sqlite3.
   */
  listPrefix<T> (kind: string, prefix: string, limit = 100): Array<OverlayRecord<T>> {
    const end = `${prefix}\uffff`
    if (this.anyPrefixStatement.get(kind, prefix, end) === undefined) return []
    const rows = this.listPrefixStatement.all(kind, prefix, end, limit) as Array<{ key: string, value: string, createdAt: string }>
    return rows.map((row) => ({ key: row.key, value: JSON.parse(row.value) as T, createdAt: row.createdAt }))
  }

  /** Runs `work` in one transaction, so a read-then-insert cannot interleave with another. */
  transaction<T> (work: () => T): T {
    return this.db.transaction(work)()
  }

  /** Drops every record; returns how many were dropped. */
  reset (): number {
    return this.db.prepare('DELETE FROM overlay').run().changes
  }

  close (): void {
    if (this.db.open) this.db.close()
  }
}
