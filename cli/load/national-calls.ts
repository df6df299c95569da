// How the national mix fills each endpoint of the default federation: which dataset keys go in the
// path and body, how often an agency granted the endpoint calls it, and what a not-found variant looks
// like. Endpoints absent here are never called by the mix (e.g. /citizens/newborns: births cause it).
import type { Rng } from '../../lgsp-node/data/hash.js'
import type { DatasetDraws } from './data-draws.js'

export interface CallContext {
  readonly draws: DatasetDraws
  readonly rng: Rng
  /** Counts this worker's requests: makes written children distinct. */
  readonly sequence: number
  /** The calling province's index, when the agency is a province: it registers its own births. */
  readonly provinceIndex: number | undefined
}

export interface BuiltCall {
  /** The endpoint path filled in, e.g. /citizens/001090012345 (the hub path adds /r1/<service> before it). */
  readonly path: string
  readonly body?: unknown
}

export interface CallPlan {
  /** Reported as the request's kind; `.not-found` is appended to the not-found variant. */
  readonly kind: string
  /**
   * Relative frequency among an agency's lookups, or among writes for a write. Population look-ups
   * weigh most: every public-service case starts by checking the citizen (see national-mix.ts).
   */
  readonly weight: number
  readonly write: boolean
  readonly build: (context: CallContext, missing: boolean) => BuiltCall
}

const personalId = (c: CallContext, missing: boolean): string => missing ? c.draws.missingPersonalId(c.rng) : c.draws.personalId(c.rng)

const read = (kind: string, weight: number, build: CallPlan['build']): CallPlan => ({ kind, weight, write: false, build })

/** Keyed by `METHOD /path/{pattern}` exactly as the registry lists endpoints. */
export const callPlans: Readonly<Record<string, CallPlan>> = {
  'GET /citizens/{personalId}': read('population.citizen', 10, (c, m) => ({ path: `/citizens/${personalId(c, m)}` })),
  'POST /citizens/verify': read('population.verify', 8, (c, m) => {
    const citizen = c.draws.citizen(c.rng)
    return { path: '/citizens/verify', body: { personalId: m ? c.draws.missingPersonalId(c.rng) : citizen.personalId, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth } }
  }),
  'GET /citizens/{personalId}/household': read('population.household', 3, (c, m) => ({ path: `/citizens/${personalId(c, m)}/household` })),
  'GET /insured/{code}': read('insurance.insured', 6, (c, m) => ({
    path: `/insured/${m ? c.draws.missingInsuranceCode(c.rng) : c.draws.insuranceCodeOf(c.draws.citizenIndex(c.rng))}`,
  })),
  'GET /insured/{code}/household': read('insurance.household', 1, (c, m) => ({
    path: `/insured/${m ? c.draws.missingInsuranceCode(c.rng) : c.draws.insuranceCodeOf(c.draws.citizenIndex(c.rng))}/household`,
  })),
  'GET /health-cards/{cardNumber}': read('insurance.health-card', 8, (c, m) => ({
    path: `/health-cards/${m ? c.draws.missingHealthCard(c.rng) : c.draws.pooled('health-cards', c.rng)}`,
  })),
  'GET /civil-records/{registrationNumber}': read('civil-status.record', 2, (c, m) => ({
    path: `/civil-records/${m ? c.draws.missingRegistration(c.rng) : c.draws.pooled('civil-births', c.rng)}`,
  })),
  'GET /civil-records/by-person/{personalId}': read('civil-status.by-person', 3, (c, m) => ({ path: `/civil-records/by-person/${personalId(c, m)}` })),
  'GET /parcels/{communeCode}/{sheet}/{parcel}': read('land.parcel', 3, (c, m) => ({
    path: `/parcels/${m ? c.draws.missingParcelKey(c.rng) : c.draws.pooled('parcels', c.rng)}`,
  })),
  'GET /parcels/by-holder/{personalId}': read('land.by-holder', 2, (c, m) => ({ path: `/parcels/by-holder/${personalId(c, m)}` })),
  'GET /certificates/{serial}': read('land.certificate', 2, (c, m) => ({
    path: `/certificates/${m ? c.draws.missingCertificate(c.rng) : c.draws.pooled('certificates', c.rng)}`,
  })),
  // Writes. About one birth in eight is of a child whose card the register asks insurance for (facts.md).
  'POST /births': {
    kind: 'civil-status.birth',
    weight: 7,
    write: true,
    build: (c) => {
      const child = c.draws.citizen(c.rng)
      const place = c.draws.commune(c.rng, c.provinceIndex)
      return {
        path: '/births',
        body: {
          fullName: child.fullName,
          gender: child.gender,
          dateOfBirth: c.draws.recentDate(c.rng),
          placeOfBirth: { provinceCode: place.provinceCode, communeCode: place.communeCode },
          declarant: { fullName: c.draws.citizen(c.rng).fullName, relationship: 'relative' },
        },
      }
    },
  },
  'POST /health-cards': {
    kind: 'insurance.child-card',
    weight: 1,
    write: true,
    build: (c) => {
      const child = c.draws.citizen(c.rng)
      const dateOfBirth = c.draws.recentDate(c.rng)
      const provinceIndex = c.provinceIndex ?? child.birthProvinceIndex
      return {
        path: '/health-cards',
        body: { personalId: c.draws.childId(c.sequence, provinceIndex, dateOfBirth, child.gender), fullName: child.fullName, dateOfBirth, gender: child.gender },
      }
    },
  },
}

/** Pools the mix draws from, built before the first request. */
export const nationalPools = ['health-cards', 'civil-births', 'parcels', 'certificates'] as const
