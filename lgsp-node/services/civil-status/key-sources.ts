// Existing registration numbers for load tests (GET /_node/keys/:source). Births are dense: key i
// is birth i. Other types have keys that hold no record (a living citizen, a household without a
// couple, an impossible draw), so key i is the first record found from a starting point: cheap and
// stable, though a key may repeat when a stretch holds no record.
import type { CivilEventPrefix } from '../../../contracts/identifiers.js'
import { civilStatusOf, type CivilStatusRegister } from '../../data/civil-status.js'
import { FeistelPermutation } from '../../data/feistel.js'
import { hashInts } from '../../data/hash.js'
import type { KeySource, NodeContext } from '../../service.js'

/** Beyond this many empty keys in a row the source is misconfigured, not unlucky. */
const MAX_SCAN = 1_000_000
/** Deaths are about one citizen in 65, marriages one household start in 23: one key per stride. */
const DEATH_STRIDE = 65
const MARRIAGE_STRIDE = 23

function scanningSource (name: string, register: CivilStatusRegister, prefix: CivilEventPrefix, stride: number, keyOf: (step: number) => number): KeySource {
  const domain = register.keyCount(prefix)
  return {
    name,
    size: Math.floor(domain / stride),
    keyAt (index) {
      for (let step = index * stride; step < index * stride + MAX_SCAN; step++) {
        const record = register.recordAtKey(prefix, keyOf(step % domain))
        if (record !== undefined) return record.registrationNumber
      }
      throw new RangeError(`no ${name} record within ${MAX_SCAN} keys of ${index}`)
    },
  }
}

export function civilStatusKeySources (context: Pick<NodeContext, 'dataset'>): KeySource[] {
  const register = civilStatusOf(context.dataset)
  // Citizens who died cluster among the old, who sit together in index order: scatter the scan.
  const scatter = new FeistelPermutation(context.dataset.size, hashInts(context.dataset.seed, 0x5ca77e))
  const dense: Array<[string, CivilEventPrefix]> = [
    ['civil-births', 'KS'], ['civil-marital-status-certificates', 'XNHN'], ['civil-changes', 'TD'],
    ['civil-recognitions', 'NCC'], ['civil-guardianships', 'GH'], ['civil-adoptions', 'NCN'],
  ]
  return [
    ...dense.map(([name, prefix]) => scanningSource(name, register, prefix, 1, (step) => step)),
    scanningSource('civil-deaths', register, 'KT', DEATH_STRIDE, (step) => scatter.forward(step)),
    // Household numbers are positions in an already shuffled order: no scatter needed.
    scanningSource('civil-marriages', register, 'KH', MARRIAGE_STRIDE, (step) => step),
  ]
}
