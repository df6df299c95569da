// Who signed a land-use certificate, by holder and date: the provincial committee or department, or
// the district (later commune) committee. The provincial names are built once per province and view.
import { provinceName, provinces, type Province, type ProvinceView } from '../../contracts/provinces.js'
import { dayOfIso } from './calendar.js'
import type { Commune } from './communes.js'
import type { Rng } from './hash.js'
import { asPlaceInName, type HolderKind } from './land-vocabulary.js'

/** Land Law 2013 in force: provincial departments certify organisations and re-issue after transfers; farm terms become 50 years. */
export const LAND_LAW_2013_FROM = dayOfIso('2014-07-01')
/** Natural Resources and Environment merged into Agriculture and Environment in March 2025. */
const MERGED_MINISTRY_FROM = dayOfIso('2025-03-01')
/** Districts abolished and provinces merged on 1 July 2025: communes issue first certificates. */
const NO_DISTRICTS_FROM = dayOfIso('2025-07-01')

interface ProvincialIssuers {
  readonly committee: string
  readonly department: string
  readonly mergedDepartment: string
}

function provincialIssuers (province: Province, view: ProvinceView): ProvincialIssuers {
  const name = asPlaceInName(provinceName(province, view))
  return {
    committee: `Ủy ban nhân dân ${name}`,
    department: `Sở Tài nguyên và Môi trường ${name}`,
    mergedDepartment: `Sở Nông nghiệp và Môi trường ${name}`,
  }
}

// Named fields, not keys '63' and '34' (which V8 would store as array elements).
const issuersByProvince = new Map(provinces.map((province) => [province, { before: provincialIssuers(province, '63'), after: provincialIssuers(province, '34') }]))

export interface Issuer {
  readonly issuedBy: string
  readonly prefix: string
}

/** Who signed the certificate, and the registry-number prefix that goes with that level. */
export function issuerOf (kind: HolderKind, commune: Commune, day: number, rng: Rng): Issuer {
  const merged = day >= NO_DISTRICTS_FROM
  const issuers = issuersByProvince.get(commune.province)
  const provincial = issuers === undefined ? provincialIssuers(commune.province, merged ? '34' : '63') : merged ? issuers.after : issuers.before
  const department = day >= MERGED_MINISTRY_FROM ? provincial.mergedDepartment : provincial.department
  if (kind === 'organisation') return day < LAND_LAW_2013_FROM ? { issuedBy: provincial.committee, prefix: 'CT' } : { issuedBy: department, prefix: 'CS' }
  if (day >= LAND_LAW_2013_FROM && rng.chance(0.35)) return { issuedBy: department, prefix: 'CS' }
  const local = merged ? commune.name : commune.district
  return { issuedBy: `Ủy ban nhân dân ${asPlaceInName(local)}`, prefix: 'CH' }
}
