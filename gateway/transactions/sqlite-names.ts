// Interned dimension names (client ids, service ids, members, providers, outcomes) for the SQLite log:
// blocks and rollups carry small integers, and this cache turns them back into names.
import type Database from 'better-sqlite3'

/** The kinds of interned names. */
export const NAME = { client: 1, service: 2, member: 3, provider: 4, outcome: 5 } as const
export type NameKind = typeof NAME[keyof typeof NAME]

const MAX_CACHED = 100_000

/** Nested maps, one level per part: a tuple's id is found without joining its parts into a string. */
type TupleTree = Map<string | null, TupleTree | number>

export class SqliteNames {
  private readonly ids = new Map<string, number>()
  private readonly tuples = new Map<NameKind, TupleTree>()
  private tupleCount = 0
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

  /**
   * intern(kind, name(parts)), cached by the parts themselves: the writer interns a client and a
   * service for every record, and building their names each time cost more than the lookups.
   */
  internTuple (kind: NameKind, parts: ReadonlyArray<string | null>, name: (parts: ReadonlyArray<string | null>) => string): number {
    let tree = this.tuples.get(kind)
    if (tree === undefined) this.tuples.set(kind, tree = new Map())
    const last = parts.length - 1
    for (let i = 0; i < last; i++) {
      let next = tree.get(parts[i] as string | null)
      if (next === undefined) tree.set(parts[i] as string | null, next = new Map())
      tree = next as TupleTree
    }
    const cached = tree.get(parts[last] as string | null)
    if (cached !== undefined) return cached as number
    const id = this.intern(kind, name(parts))
    tree.set(parts[last] as string | null, id)
    this.tupleCount++
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
    this.tuples.clear()
    this.tupleCount = 0
  }

  private remember (kind: NameKind, value: string, id: number): void {
    // Unknown-service records can carry names a caller made up: bound the cache, not the table.
    if (this.ids.size >= MAX_CACHED || this.tupleCount >= MAX_CACHED) this.forget()
    this.ids.set(`${kind}:${value}`, id)
    this.names.set(id, value)
  }
}
