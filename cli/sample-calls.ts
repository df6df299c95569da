// Ready-to-paste curl calls that `ndxp up` prints: one per national database, each with a seeded
// consumer's development key and an identifier that exists in the generated data.
import type { NationalDataset } from '../lgsp-node/data/dataset.js'
import type { DevKey } from '../registry/seed.js'

interface SampleCall {
  readonly what: string
  readonly client: string
  readonly path: (dataset: NationalDataset) => string
}

const samples: readonly SampleCall[] = [
  { what: 'population: a citizen', client: 'VN/GOV/000.00.00.H49/DVCTINH', path: (d) => `/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/${d.population.idAt(12_345_678)}` },
  { what: 'insurance: an insured person', client: 'VN/GOV/000.00.00.G18/LGSP', path: (d) => `/r1/VN/GOV/000.00.13.G12/CSDLBH/insured/${d.population.idAt(23_456_789)}` },
  { what: 'civil status: a person\'s records', client: 'VN/GOV/000.00.00.H49/DVCTINH', path: (d) => `/r1/VN/GOV/000.00.00.G15/HOTICH/civil-records/by-person/${d.population.idAt(97_000_000)}` },
  { what: 'land: parcels of a holder', client: 'VN/GOV/000.00.00.H49/LGSP', path: (d) => `/r1/VN/GOV/000.00.00.G10/CSDLDD/parcels/by-holder/${d.population.idAt(34_567_890)}` },
]

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
