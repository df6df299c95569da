// One cadastral parcel as a pure function of (seed, parcel index): who holds it (the citizen its
// holder slot falls on when they could hold land, else the commune or an organisation), what it is
// used for, its area, term, origin and certificate. Dates respect the holder's own life.
import type { CertificateSummary, LandOriginCode, ParcelHolder } from '../../contracts/land.js'
import { citizenAt } from './citizens.js'
import { communeAt, type Commune } from './communes.js'
import type { NationalDataset } from './dataset.js'
import { hashInts, Rng } from './hash.js'
import { dayOfIso, dayYearsAfter, isoOfDay, yearsAfter } from './calendar.js'
import { padded2, padded3 } from './digits.js'
import type { LandIndex, ParcelKey } from './land-index.js'
import { issuerOf, LAND_LAW_2013_FROM } from './land-issuers.js'
import {
  asPlaceInName, businessOrigins, communeUses, farmOrigins, individualRuralUses, individualUrbanUses, isPublicUse,
  organisationNames, organisationUses, residentialOrigins, type HolderKind, type LandUse,
} from './land-vocabulary.js'
import { placeWords } from './names.js'

/** The certificate form with two-letter serials dates from Decree 88/2009, in force 10 December 2009. */
const FIRST_ISSUE_DAY = dayOfIso('2009-12-10')
/** The generated dataset is as of 1 January 2026. */
const LAST_DAY = dayOfIso('2025-12-31')
/** Farmland allocated under the 1993 law had its term extended to 15 October 2063. */
const EXTENDED_FARM_TERM = '2063-10-15'
/** Citizens born this year or later are under 18 on the dataset's date and hold no land. */
const MINOR_FROM_YEAR = 2008

export interface ParcelFacts {
  readonly index: number
  readonly key: ParcelKey
  readonly commune: Commune
  readonly holder: ParcelHolder
  readonly landUse: LandUse
  /** Areas in tenths of a square metre, so own + shared adds up exactly. */
  readonly areaTenths: { readonly total: number, readonly shared: number }
  readonly origin: LandOriginCode
  readonly useTermUntil: string | undefined
  readonly certificate: CertificateSummary | undefined
}

export interface EligibleHolder {
  readonly holder: ParcelHolder & { kind: 'individual' }
  /** Days (since 1970) between which a certificate could have been issued to them. */
  readonly firstDay: number
  readonly lastDay: number
}

/** The citizen as a land holder, or undefined when they never were an adult alive on the register. */
export function eligibleHolder (dataset: NationalDataset, citizenIndex: number): EligibleHolder | undefined {
  if (citizenIndex < 0) return undefined
  const parts = dataset.population.describe(citizenIndex)
  // The ID's parts give the birth year: skip minors before building them.
  if (parts.birthYear >= MINOR_FROM_YEAR) return undefined
  const core = citizenAt(dataset.population, citizenIndex, parts)
  const adultDay = dayYearsAfter(core.dateOfBirth, 18)
  const lastDay = core.dateOfDeath === undefined ? LAST_DAY : Math.min(LAST_DAY, dayOfIso(core.dateOfDeath))
  if (adultDay > lastDay) return undefined
  return {
    holder: { kind: 'individual', personalId: core.personalId, fullName: core.fullName, dateOfBirth: core.dateOfBirth },
    firstDay: Math.max(FIRST_ISSUE_DAY, adultDay),
    lastDay,
  }
}

function organisationHolder (use: LandUse, rng: Rng, seed: number, index: number): ParcelHolder {
  const pattern = rng.pick(organisationNames[use.code] ?? ['Công ty TNHH {}'])
  const name = pattern.replace('{}', `${rng.pick(placeWords)} ${rng.pick(placeWords)}`)
  if (!name.startsWith('Công ty') && !name.startsWith('Hợp tác xã')) return { kind: 'organisation', name }
  return { kind: 'organisation', name, taxCode: `0${100_000_000 + hashInts(seed, 0x7a0, index) % 900_000_000}` }
}

function originOf (kind: HolderKind, use: LandUse, rng: Rng): LandOriginCode {
  if (kind === 'commune' || (kind === 'organisation' && isPublicUse(use.code))) return 'DG-KTT'
  if (kind === 'organisation') return businessOrigins.draw(rng)
  return (use.agricultural ? farmOrigins : residentialOrigins).draw(rng)
}

const certifiedShare: Readonly<Record<HolderKind, number>> = { individual: 0.93, organisation: 0.9, commune: 0.5 }

/** Everything about the parcel at a global index; `key` and `commune` may be passed when the caller has them. */
export function parcelFacts (dataset: NationalDataset, land: LandIndex, index: number, key: ParcelKey = land.keyAt(index), commune: Commune = communeAt(key.communeIndex, dataset.seed)): ParcelFacts {
  const rng = Rng.keyed(dataset.seed, 0x9a2c, index)
  const person = eligibleHolder(dataset, land.slotCitizen(index))
  const kind: HolderKind = person !== undefined ? 'individual' : rng.chance(0.8) ? 'commune' : 'organisation'
  const uses = kind === 'individual' ? (commune.urban ? individualUrbanUses : individualRuralUses) : kind === 'commune' ? communeUses : organisationUses
  const landUse = uses.draw(rng)
  const holder: ParcelHolder = person !== undefined
    ? person.holder
    : kind === 'commune'
      ? { kind: 'commune', name: `Ủy ban nhân dân ${asPlaceInName(commune.name)}`, communeCode: commune.code }
      : organisationHolder(landUse, rng, dataset.seed, index)

  const total = Math.max(1, Math.round(landUse.minArea * (landUse.maxArea / landUse.minArea) ** rng.next() * 10))
  const sharing = rng.next()
  // Apartment blocks stand on land all owners share; a few house plots share a lane or yard.
  const shared = landUse.code === 'ODT' && sharing < 0.1 ? total : sharing > 0.97 ? Math.round(total * (0.05 + rng.next() * 0.25)) : 0
  const origin = originOf(kind, landUse, rng)

  // The day the right was recognised: the certificate's issue day when there is one.
  const firstDay = person?.firstDay ?? FIRST_ISSUE_DAY
  const lastDay = person?.lastDay ?? LAST_DAY
  const recognisedDay = firstDay + rng.below(lastDay - firstDay + 1)
  let certificate: CertificateSummary | undefined
  if (landUse.certifiable && rng.chance(certifiedShare[kind])) {
    const { issuedBy, prefix } = issuerOf(kind, commune, recognisedDay, rng)
    const sequence = land.positionInCommune(index, key.communeIndex) % 99_999 + 1
    const thousands = Math.floor(sequence / 1000)
    certificate = { serial: land.serialOf(index), registryNumber: prefix + padded2(thousands) + padded3(sequence - thousands * 1000), issuedOn: isoOfDay(recognisedDay), issuedBy }
  }

  let useTermUntil: string | undefined
  if (kind === 'individual' && landUse.agricultural) {
    useTermUntil = certificate === undefined || recognisedDay < LAND_LAW_2013_FROM ? EXTENDED_FARM_TERM : yearsAfter(certificate.issuedOn, 50)
  } else if (kind === 'organisation' && origin !== 'DG-KTT') {
    useTermUntil = yearsAfter(certificate?.issuedOn ?? isoOfDay(recognisedDay), 50)
  }
  return { index, key, commune, holder, landUse, areaTenths: { total, shared }, origin, useTermUntil, certificate }
}
