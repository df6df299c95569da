// The people and places a civil-status record names, taken from the population data so that one
// person is the same person in every database. A household is computed at most once per lookup and
// shared by everyone in it, because a person's records also involve their parents, spouse and wards.
import type { CivilPerson, CivilPlace } from '../../contracts/civil-status.js'
import { provinceNameAt, type Province } from '../../contracts/provinces.js'
import { viewOfPeople, type HouseholdView } from './citizen-record.js'
import { citizenAt, type CitizenCore } from './citizens.js'
import { provinceIndexOf, type Address, type Commune } from './communes.js'
import type { NationalDataset } from './dataset.js'
import type { Rng } from './hash.js'
import { familyLinks, peopleOfCitizen, type FamilyLinks, type HouseholdMember, type HouseholdPeople, type Relation } from './household-members.js'
import type { DescribedCitizen } from './population-index.js'

/**
 * One household as seen from a lookup: members' core facts computed on demand, once each, from the
 * ID parts the household derives; its address only when a record names it (births do not).
 */
export class Family {
  /** By position in the household, filled in as asked for. */
  private readonly cores: Array<CitizenCore | undefined> = []
  private view: HouseholdView | undefined

  constructor (readonly dataset: NationalDataset, readonly people: HouseholdPeople) {}

  get members (): readonly HouseholdMember[] {
    return this.people.members
  }

  get number (): number {
    return this.people.number
  }

  /** The household as the population database shows it (63-province view). */
  get household (): HouseholdView {
    this.view ??= viewOfPeople(this.dataset, this.people, '63')
    return this.view
  }

  core (index: number): CitizenCore {
    const position = this.people.positionOf(index)
    return position < 0 ? citizenAt(this.dataset.population, index) : this.coreAt(position)
  }

  /** The core facts of the member at a position of the household (oldest first). */
  coreAt (position: number): CitizenCore {
    let core = this.cores[position]
    if (core === undefined) {
      core = citizenAt(this.dataset.population, this.people.indexes[position] as number, this.people.described(position))
      this.cores[position] = core
    }
    return core
  }

  /** A member's core facts by personal ID (links name people by ID); undefined for outsiders. */
  coreById (personalId: string | undefined): CitizenCore | undefined {
    if (personalId === undefined) return undefined
    const member = this.members.find((m) => m.personalId === personalId)
    return member === undefined ? undefined : this.core(member.index)
  }

  member (index: number): HouseholdMember | undefined {
    return this.members.find((m) => m.index === index)
  }

  /** The member's relation to the head, undefined for someone outside the household. */
  relationOf (index: number): Relation | undefined {
    const position = this.people.positionOf(index)
    return position < 0 ? undefined : this.people.relations[position]
  }

  /** The core facts of a member's father and mother, as the population data links them (no IDs compared). */
  parentsOf (index: number): { readonly father: CitizenCore | undefined, readonly mother: CitizenCore | undefined } {
    const position = this.people.positionOf(index)
    if (position < 0) return { father: undefined, mother: undefined }
    const { father, mother } = this.people.parentsOf(position)
    return { father: father < 0 ? undefined : this.coreAt(father), mother: mother < 0 ? undefined : this.coreAt(mother) }
  }

  links (personalId: string): FamilyLinks {
    return familyLinks(this, personalId)
  }
}

/** The citizen a record is about, with their household fetched only if a record needs it. */
export class Subject {
  private cachedFamily: Family | undefined

  /** `parts`: the subject's ID parts, when known, so that finding their household does not derive them again. */
  constructor (readonly dataset: NationalDataset, readonly core: CitizenCore, family?: Family, private readonly parts?: DescribedCitizen) {
    this.cachedFamily = family
  }

  static at (dataset: NationalDataset, index: number): Subject {
    const parts = dataset.population.describe(index)
    return new Subject(dataset, citizenAt(dataset.population, index, parts), undefined, parts)
  }

  get index (): number {
    return this.core.index
  }

  get family (): Family {
    this.cachedFamily ??= new Family(this.dataset, peopleOfCitizen(this.dataset, this.core.index, this.parts))
    return this.cachedFamily
  }

  get links (): FamilyLinks {
    return this.family.links(this.core.personalId)
  }

  /** The subject's father and mother in their household, when the population data links them. */
  get parents (): { readonly father: CitizenCore | undefined, readonly mother: CitizenCore | undefined } {
    return this.family.parentsOf(this.core.index)
  }
}

export function personOf (core: CitizenCore): CivilPerson {
  return { personalId: core.personalId, fullName: core.fullName, gender: core.gender, dateOfBirth: core.dateOfBirth }
}

/** Records keep the names of the time: the 63-province units, districts included. */
export function placeOfCommune (commune: Commune): CivilPlace {
  const province: Province = commune.province
  return { communeCode: commune.code, commune: commune.name, district: commune.district, provinceCode: province.code, province: provinceNameAt(provinceIndexOf(commune), '63') }
}

export function placeOfAddress (address: Address): CivilPlace {
  return { communeCode: address.communeCode, commune: address.commune, district: address.district ?? '', provinceCode: address.provinceCode, province: address.province }
}

export interface Authority extends CivilPlace {
  readonly name: string
}

/**
 * The commune people's committee that keeps the register ("Ủy ban nhân dân xã Tân An"). The place's
 * five fields are copied by name: spreading them after `name` takes a slow path in V8.
 */
export function authorityOf (place: CivilPlace): Authority {
  return {
    name: `Ủy ban nhân dân ${place.commune.charAt(0).toLowerCase()}${place.commune.slice(1)}`,
    communeCode: place.communeCode,
    commune: place.commune,
    district: place.district,
    provinceCode: place.provinceCode,
    province: place.province,
  }
}

const BOOKS_PER_YEAR = 3
const FIRST_BOOK_YEAR = 1900
/** "Quyển số 0<n>/<year>" for 1900–2199, filled in as first met: every generated record names its book. */
const bookNames = new Array<string | undefined>(BOOKS_PER_YEAR * 300).fill(undefined)

function bookName (book: number, year: number): string {
  const slot = (year - FIRST_BOOK_YEAR) * BOOKS_PER_YEAR + book - 1
  if (!(slot >= 0 && slot < bookNames.length)) return `Quyển số 0${book}/${year}`
  let name = bookNames[slot]
  if (name === undefined) {
    name = `Quyển số 0${book}/${year}`
    bookNames[slot] = name
  }
  return name
}

/** Each commune keeps a few books a year; the page is where the entry sits. */
export function bookAndPage (rng: Rng, year: number): { book: string, page: number } {
  return { book: bookName(rng.between(1, BOOKS_PER_YEAR), year), page: rng.between(1, 250) }
}
