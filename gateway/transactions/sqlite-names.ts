// Interned dimension names (client ids, service ids, members, providers, outcomes) for the SQLite log:
// rows and rollups carry small integers, and this cache turns them back into names.
import type Database from 'better-sqlite3'
import type { NameKind } from './sqlite-schema.js'

const MAX_CACHED = 100_000

export class SqliteNames {
  private readonly ids = new Map<string, number>()
  private readonly names = new Map<number, string>()
  private readonly select: Database.Statement<[number, string]>
  private readonly insert: Database.Statement<[number, string]>
  private readonly selectName: Database.Statement<[number]>

  constructor (db: Database.Database) {
    this.select = db.prepare('SELECT id FROM transaction_names WHERE kind = ? AND value = ?')
    this.insert = db.prepare('INSERT INTO transaction_names (kind, value) VALUES (?, ?)')
    this.selectName = db.prepare('SELECT value FROM transaction_names WHERE id = ?')
  }

  /** The id of a name, created if new. Call inside the write transaction that uses it. */
  intern (kind: NameKind, value: string): number {
    const known = this.find(kind, value)
    if (known !== undefined) return known
    const id = Number(this.insert.run(kind, value).lastInsertRowid)
    this.remember(kind, value, id)
    return id
  }

  /** The id of an existing name; reads never create names, and a name nobody used matches nothing. */
  find (kind: NameKind, value: string): number | undefined {
    const cached = this.ids.get(`${kind}:${value}`)
    if (cached !== undefined) return cached
    const row = this.select.get(kind, value) as { id: number } | undefined
    if (row !== undefined) this.remember(kind, value, row.id)
    return row?.id
  }

  /** Another connection to the same file may have created the name: look it up when not cached. */
  name (id: number): string {
    const cached = this.names.get(id)
    if (cached !== undefined) return cached
    const row = this.selectName.get(id) as { value: string } | undefined
    if (row === undefined) throw new Error(`transaction log names table lacks id ${id}`)
    this.names.set(id, row.value)
    return row.value
  }

  /** After a rolled-back write: ids created in it no longer exist, so forget everything. */
  forget (): void {
    this.ids.clear()
    this.names.clear()
  }

  private remember (kind: NameKind, value: string, id: number): void {
    // Unknown-service records can carry names a caller made up: bound the cache, not the table.
    if (this.ids.size >= MAX_CACHED) this.forget()
    this.ids.set(`${kind}:${value}`, id)
    this.names.set(id, value)
  }
}
