// Ready-to-paste curl calls that `ndxp up` prints: one per national database, each with a seeded
// consumer's development key and an identifier that exists in the generated data.
import type { NationalDataset } from '../lgsp-node/data/dataset.js'
import { civilStatusKeySources } from '../lgsp-node/services/civil-status/index.js'
import { landKeySources } from '../lgsp-node/services/land/index.js'
import type { KeySource } from '../lgsp-node/service.js'
import type { DevKey } from '../registry/seed.js'

interface SampleCall {
  readonly what: string
  readonly client: string
  readonly path: (dataset: NationalDataset) => string
}

const samples: readonly SampleCall[] = [
  { what: 'population: a citizen', client: 'VN/GOV/000.00.00.H49/DVCTINH', path: (d) => `/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/${citizenId(d, 12_345_678)}` },
  { what: 'insurance: an insured person', client: 'VN/GOV/000.00.00.G18/LGSP', path: (d) => `/r1/VN/GOV/000.00.13.G12/CSDLBH/insured/${citizenId(d, 23_456_789)}` },
  { what: 'civil status: a birth record', client: 'VN/GOV/000.00.00.H49/DVCTINH', path: (d) => `/r1/VN/GOV/000.00.00.G15/HOTICH/civil-records/${keyOf(civilStatusKeySources({ dataset: d }), 'civil-births', 1_234_567)}` },
  { what: 'land: a parcel', client: 'VN/GOV/000.00.00.H49/LGSP', path: (d) => `/r1/VN/GOV/000.00.00.G10/CSDLDD/parcels/${keyOf(landKeySources({ dataset: d }), 'parcels', 7_654_321)}` },
]

/** A citizen of any population size (NDXP_POPULATION may be far below the index wanted). */
function citizenId (dataset: NationalDataset, index: number): string {
  return dataset.population.idAt(index % dataset.population.size)
}

/** An existing key, so the printed calls show a record rather than an empty answer. */
function keyOf (sources: readonly KeySource[], name: string, index: number): string {
  const source = sources.find((s) => s.name === name)
  if (source === undefined) throw new Error(`no key source ${name}`)
  return source.keyAt(index % source.size)
}

export function sampleCurlCalls (hubUrl: string, keys: readonly DevKey[], dataset: NationalDataset): string[] {
  const lines: string[] = []
  for (const sample of samples) {
    const memberCode = sample.client.split('/')[2]
    const key = keys.find((k) => k.memberCode === memberCode && k.active)
    if (key === undefined) continue
    lines.push(`# ${sample.what}`)
    lines.push(`curl -s ${hubUrl}${sample.path(dataset)} -H 'Authorization: Bearer ${key.key}' -H 'X-Road-Client: ${sample.client}'`)
  }
  return lines
}
