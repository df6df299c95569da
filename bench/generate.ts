// Benchmark of record generation on one core: records per second for each national database,
// straight from the data functions (no HTTP), against a baseline measured in the same run: building
// an object of similar size from constants, the floor any generator pays.
// Usage: npm run build && node dist/bench/generate.js [--seconds 2]
import { parseArgs } from 'node:util'
import { NationalDataset } from '../lgsp-node/data/dataset.js'
import { citizenAt } from '../lgsp-node/data/citizens.js'
import { civilStatusOf } from '../lgsp-node/data/civil-status.js'
import { landIndex } from '../lgsp-node/data/land-index.js'
import { parcelFacts } from '../lgsp-node/data/land-parcels.js'
import { generatedInsured } from '../lgsp-node/services/insurance/records.js'
import { generatedCitizen } from '../lgsp-node/services/population/records.js'
import { Overlay } from '../lgsp-node/overlay.js'
import { median } from './lib/processes.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } })
const seconds = Number(values.seconds)
const dataset = new NationalDataset()
const context = { dataset, overlay: new Overlay(':memory:'), clock: () => new Date('2026-03-01T00:00:00Z') }
const civil = civilStatusOf(dataset)
const land = landIndex(dataset)
const size = dataset.size
// A multiplicative stride visits indexes all over the population, not neighbours that share caches.
const STRIDE = 7_919_993
let sink = 0

function rate (generate: (i: number) => unknown): number {
  const rounds: number[] = []
  for (let round = 0; round < Number(values.rounds); round++) {
    let count = 0
    const deadline = performance.now() + seconds * 1000
    const started = performance.now()
    while (performance.now() < deadline) {
      for (let batch = 0; batch < 1000; batch++, count++) {
        if (generate((count * STRIDE) % size) !== undefined) sink++
      }
    }
    rounds.push(count / ((performance.now() - started) / 1000))
  }
  return median(rounds)
}

const constant = { a: 'Nguyễn', b: 'Văn', c: 'An', d: '1990-05-17', e: 'male', f: '001' }
const cases: Array<[string, (i: number) => unknown]> = [
  ['baseline: constant object', (i) => ({ ...constant, i })],
  ['population: core citizen', (i) => citizenAt(dataset.population, i)],
  ['population: full record (household, residence)', (i) => generatedCitizen(dataset, i, '63')],
  ['insurance: insured person with card', (i) => generatedInsured(context, i, '2026-03-01')],
  ['civil status: birth record', (i) => civil.recordAtKey('KS', i % civil.keyCount('KS'))],
  ['land: parcel', (i) => parcelFacts(dataset, land, i % land.size)],
]

console.log(`records generated per second on one core (median of ${values.rounds} × ${seconds} s):`)
let baseline = 0
for (const [name, generate] of cases) {
  const perSecond = rate(generate)
  if (baseline === 0) baseline = perSecond
  console.log(`  ${name.padEnd(48)} ${Math.round(perSecond).toLocaleString('en').padStart(12)} /s   ${(perSecond / baseline).toFixed(3)} × baseline`)
}
console.log(`target: ≥ 500,000 records/s per database (sink ${sink})`)
