// What the mocks benchmark calls on each node: a key source to draw existing keys from, and the
// lookup path a key turns into.
export interface MockTarget {
  readonly name: string
  readonly node: string
  readonly source: string
  readonly path: (key: string) => string
}

export const mockTargets: readonly MockTarget[] = [
  { name: 'population: citizen', node: 'population', source: 'citizens', path: (key) => `/citizens/${key}` },
  { name: 'insurance: insured', node: 'insurance', source: 'insured', path: (key) => `/insured/${key}` },
  { name: 'insurance: health card', node: 'insurance', source: 'health-cards', path: (key) => `/health-cards/${key}` },
  { name: 'civil status: birth', node: 'civil-status', source: 'civil-births', path: (key) => `/civil-records/${key}` },
  { name: 'civil status: by person', node: 'civil-status', source: 'citizens', path: (key) => `/civil-records/by-person/${key}` },
  { name: 'land: parcel', node: 'land', source: 'parcels', path: (key) => `/parcels/${key}` },
  { name: 'land: certificate', node: 'land', source: 'certificates', path: (key) => `/certificates/${key}` },
]
