// Finds parcels by key, by holder and by certificate serial, and renders them in the wire format of
// contracts/land.ts in the requested province view.
import type { LandCertificate, Parcel } from '../../../contracts/land.js'
import type { ProvinceView } from '../../../contracts/provinces.js'
import { addressIn, communeByCode } from '../../data/communes.js'
import type { CitizenCore } from '../../data/citizens.js'
import type { NationalDataset } from '../../data/dataset.js'
import { Rng } from '../../data/hash.js'
import { landIndex } from '../../data/land-index.js'
import { eligibleHolder, parcelFacts, type ParcelFacts } from '../../data/land-parcels.js'
import { landOrigins } from '../../data/land-vocabulary.js'

type ParcelFields = Omit<Parcel, 'holder' | 'certificate'>

function parcelFields (dataset: NationalDataset, facts: ParcelFacts, view: ProvinceView): ParcelFields {
  const { total, shared } = facts.areaTenths
  // Its own stream, so the address line never depends on how many draws the attributes took.
  const address = addressIn(facts.commune, Rng.keyed(dataset.seed, 0xadd2, facts.index), view)
  const fields: ParcelFields = {
    communeCode: facts.commune.code,
    sheet: facts.key.sheet,
    parcel: facts.key.parcel,
    area: { total: total / 10, own: (total - shared) / 10, shared: shared / 10 },
    landUse: { code: facts.landUse.code, description: facts.landUse.description },
    useTerm: facts.useTermUntil === undefined ? 'long-term' : 'limited',
    origin: { code: facts.origin, description: landOrigins[facts.origin] },
    address,
  }
  if (facts.useTermUntil !== undefined) fields.useTermUntil = facts.useTermUntil
  return fields
}

export function parcelRecord (dataset: NationalDataset, facts: ParcelFacts, view: ProvinceView): Parcel {
  const parcel: Parcel = { ...parcelFields(dataset, facts, view), holder: facts.holder }
  if (facts.certificate !== undefined) parcel.certificate = facts.certificate
  return parcel
}

export function certificateRecord (dataset: NationalDataset, facts: ParcelFacts & { certificate: NonNullable<ParcelFacts['certificate']> }, view: ProvinceView): LandCertificate {
  return { ...facts.certificate, holder: facts.holder, parcel: parcelFields(dataset, facts, view) }
}

/** The parcel with this key, or undefined when the (well-formed) key names no parcel. */
export function findParcel (dataset: NationalDataset, communeCode: string, sheet: number, parcel: number): ParcelFacts | undefined {
  const commune = communeByCode(communeCode, dataset.seed)
  if (commune === undefined) return undefined
  const land = landIndex(dataset)
  const key = { communeIndex: commune.index, sheet, parcel }
  const index = land.indexOf(key)
  return index < 0 ? undefined : parcelFacts(dataset, land, index, key, commune)
}

/** The parcel a certificate with this serial was issued for, or undefined when none was. */
export function findCertificate (dataset: NationalDataset, serial: string): (ParcelFacts & { certificate: NonNullable<ParcelFacts['certificate']> }) | undefined {
  const land = landIndex(dataset)
  const index = land.parcelOfSerial(serial)
  if (index < 0) return undefined
  const facts = parcelFacts(dataset, land, index)
  return facts.certificate === undefined ? undefined : { ...facts, certificate: facts.certificate }
}

/** The citizen and the parcels held in their name (possibly none), or undefined for an ID of nobody. */
export function parcelsOfHolder (dataset: NationalDataset, personalId: string): { citizen: Pick<CitizenCore, 'personalId' | 'fullName'>, parcels: ParcelFacts[] } | undefined {
  const citizenIndex = dataset.population.indexOf(personalId)
  if (citizenIndex < 0) return undefined
  const person = eligibleHolder(dataset, citizenIndex)
  const citizen = person?.holder ?? dataset.citizenAt(citizenIndex)
  if (person === undefined) return { citizen, parcels: [] }
  const land = landIndex(dataset)
  return { citizen, parcels: land.slotParcels(citizenIndex).map((index) => parcelFacts(dataset, land, index)) }
}

/** Says which part of a well-formed parcel key names nothing, so a caller can tell a typo from a gap. */
export function parcelNotFoundDetail (dataset: NationalDataset, communeCode: string, sheet: number): string {
  const commune = communeByCode(communeCode, dataset.seed)
  if (commune === undefined) return `No commune has code ${communeCode}.`
  const land = landIndex(dataset)
  const sheets = land.sheetCount(commune.index)
  if (sheet > sheets) return `Commune ${communeCode} has map sheets 1–${sheets}; there is no sheet ${sheet}.`
  return `Sheet ${sheet} of commune ${communeCode} has parcels 1–${land.parcelCount(commune.index, sheet)}; there is no such parcel.`
}
