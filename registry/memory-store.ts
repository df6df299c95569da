// A registry store in this process's memory: the document store with the simplest backend. For tests
// and one-off runs; nothing survives the process and nothing is shared with another.
import { DEFAULT_INSTANCE, instanceSchema } from '../contracts/registry.js'
import { copyJson, emptyDocument, type RegistryDocument } from './document.js'
import { DocumentRegistryStore, type DocumentBackend, type VersionedDocument } from './document-store.js'
import { parseInput, type RegistryStore, type RegistryStoreOptions } from './store.js'

export async function openMemoryRegistryStore (options: RegistryStoreOptions = {}): Promise<RegistryStore> {
  const instance = parseInput(instanceSchema, options.instance ?? DEFAULT_INSTANCE, 'instance')
  return new DocumentRegistryStore(new MemoryBackend(emptyDocument(instance)), instance, options.clock ?? (() => new Date()))
}

class MemoryBackend implements DocumentBackend {
  #current: VersionedDocument

  constructor (doc: RegistryDocument) {
    this.#current = { version: 0, doc }
  }

  async read (): Promise<VersionedDocument> { return this.#current }
  async version (): Promise<number> { return this.#current.version }

  // Synchronous from copy to commit, so no other update can interleave.
  async update<T> (apply: (draft: RegistryDocument) => { value: T, changed: boolean }): Promise<T> {
    const draft = copyJson(this.#current.doc)
    const { value, changed } = apply(draft)
    if (changed) this.#current = { version: this.#current.version + 1, doc: draft }
    return value
  }

  async close (): Promise<void> {}
}
