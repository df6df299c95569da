// How many requests each rule faulted, per rule id and kind; read and reset through the admin API.
import type { FaultCount, FaultRule } from '../../contracts/faults.js'

export class FaultCounter {
  // Keyed by id and kind: an id deleted and re-added with another kind keeps both histories apart.
  readonly #counts = new Map<string, FaultCount>()

  record (rule: FaultRule): void {
    const key = `${rule.id} ${rule.fault.kind}`
    const count = this.#counts.get(key)
    if (count === undefined) this.#counts.set(key, { ruleId: rule.id, kind: rule.fault.kind, fired: 1 })
    else count.fired++
  }

  list (): FaultCount[] {
    return [...this.#counts.values()].map((count) => ({ ...count }))
  }

  reset (): void {
    this.#counts.clear()
  }
}
