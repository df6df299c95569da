// Builds population records (citizen, household) from the generated dataset or the write overlay.
import type { ProvinceView } from '../../../contracts/provinces.js'
import { provinceByCode, provinceIndexByCode } from '../../../contracts/provinces.js'
import type { Citizen, NewbornRequest } from '../../../contracts/population.js'
import { currentResidence, householdId, householdOfCitizen, placeOf, viewOfPeople, type HouseholdView } from '../../data/citizen-record.js'
import { peopleOfCitizen, type Relation } from '../../data/household-members.js'
import { generatedParentIndex, newbornRelation } from '../../data/parent-checks.js'
import { citizenAt } from '../../data/citizens.js'
import type { NationalDataset } from '../../data/dataset.js'
import type { NodeContext } from '../../service.js'

export const ISSUED_CITIZEN = 'citizen'
export const ISSUED_BY_REGISTRATION = 'citizen-by-registration'
/** `<household id>/<personal id>`: the newborns issued here who joined a generated household. */
export const ISSUED_BY_HOUSEHOLD = 'citizen-by-household'

export interface IssuedCitizen extends NewbornRequest {
  readonly personalId: string
  readonly ethnicity: string
}

export function generatedCitizen (dataset: NationalDataset, index: number, view: ProvinceView): { citizen: Citizen, household: HouseholdView } {
  // Described once: the citizen and their household both start from the ID parts.
  const parts = dataset.population.describe(index)
  const core = citizenAt(dataset.population, index, parts)
  const people = peopleOfCitizen(dataset, index, parts)
  const household = viewOfPeople(dataset, people, view)
  const position = people.positionOf(index)
  const links = people.linksAt(position)
  const citizen: Citizen = {
    personalId: core.personalId,
    fullName: core.fullName,
    familyName: core.familyName,
    middleName: core.middleName,
    givenName: core.givenName,
    gender: core.gender,
    dateOfBirth: core.dateOfBirth,
    placeOfBirthRegistration: placeOf(core.birthProvinceIndex, view),
    homeTown: placeOf(core.homeTownProvinceIndex, view),
    ethnicity: core.ethnicity,
    religion: core.religion,
    nationality: 'Việt Nam',
    permanentResidence: household.address,
    currentResidence: currentResidence(dataset, core, household, view),
    householdId: household.householdId,
    relationToHead: people.relations[position] ?? 'head',
    headOfHouseholdId: household.members[0]?.personalId ?? core.personalId,
    status: core.dateOfDeath === undefined ? 'alive' : 'deceased',
    source: 'generated',
  }
  if (links.fatherId !== undefined) citizen.fatherId = links.fatherId
  if (links.motherId !== undefined) citizen.motherId = links.motherId
  if (links.spouseId !== undefined) citizen.spouseId = links.spouseId
  if (core.dateOfDeath !== undefined) citizen.dateOfDeath = core.dateOfDeath
  return { citizen, household }
}

/**
 * The household a newborn joins: its mother's, else its father's, when that parent is a generated
 * citizen; with its relation to the head (a child of the head or spouse, else a grandchild: the
 * register's "cháu").
 */
export function newbornHousehold (dataset: NationalDataset, issued: Pick<IssuedCitizen, 'motherId' | 'fatherId'>, view: ProvinceView): { household: HouseholdView, relation: Relation } | undefined {
  const parent = generatedParentIndex(dataset, issued)
  if (parent === undefined) return undefined
  const household = householdOfCitizen(dataset, parent, view)
  return { household, relation: newbornRelation(household.members, parent) }
}

/** The newborns issued here who joined this household, as its members. */
export function newbornsOf (context: NodeContext, household: HouseholdView): HouseholdMemberRecord[] {
  return context.overlay.listPrefix<string>(ISSUED_BY_HOUSEHOLD, `${household.householdId}/`).flatMap((row) => {
    const issued = context.overlay.get<IssuedCitizen>(ISSUED_CITIZEN, row.value)?.value
    if (issued === undefined) return []
    const relationToHead = newbornRelation(household.members, generatedParentIndex(context.dataset, issued))
    return [{ personalId: issued.personalId, fullName: issued.fullName, gender: issued.gender, dateOfBirth: issued.dateOfBirth, relationToHead }]
  })
}

export interface HouseholdMemberRecord {
  personalId: string
  fullName: string
  gender: 'male' | 'female'
  dateOfBirth: string
  relationToHead: Relation
}

/** A newborn issued through this node joins a parent's household when a parent is on record. */
export function issuedCitizen (dataset: NationalDataset, issued: IssuedCitizen, view: ProvinceView): Citizen {
  const joined = newbornHousehold(dataset, issued, view)
  const household = joined?.household
  const [familyName = '', middleName = '', ...rest] = issued.fullName.split(/\s+/)
  const provinceIndex = provinceIndexByCode[Number(issued.birthProvinceCode)] as number
  const place = placeOf(provinceIndex, view)
  const fallbackAddress = { line: '', communeCode: '00001', commune: '', province: place.province, provinceCode: place.provinceCode }
  const citizen: Citizen = {
    personalId: issued.personalId,
    fullName: issued.fullName,
    familyName,
    middleName: rest.length === 0 ? '' : middleName,
    givenName: rest.length === 0 ? middleName : rest.join(' '),
    gender: issued.gender,
    dateOfBirth: issued.dateOfBirth,
    placeOfBirthRegistration: place,
    homeTown: place,
    ethnicity: issued.ethnicity,
    religion: 'Không',
    nationality: 'Việt Nam',
    permanentResidence: household?.address ?? fallbackAddress,
    currentResidence: household?.address ?? fallbackAddress,
    // Without a parent on record the child heads a household of its own, numbered outside the generated range.
    householdId: household?.householdId ?? householdId(9_000_000_000 + Number(issued.personalId.slice(3))),
    relationToHead: joined?.relation ?? 'head',
    headOfHouseholdId: household?.members[0]?.personalId ?? issued.personalId,
    status: 'alive',
    source: 'registered',
  }
  if (issued.fatherId !== undefined) citizen.fatherId = issued.fatherId
  if (issued.motherId !== undefined) citizen.motherId = issued.motherId
  return citizen
}

/** The citizen with this ID from either source, or undefined. */
export function findCitizen (context: NodeContext, personalId: string, view: ProvinceView): { citizen: Citizen, household?: HouseholdView } | undefined {
  const index = context.dataset.population.indexOf(personalId)
  if (index >= 0) return generatedCitizen(context.dataset, index, view)
  const issued = context.overlay.get<IssuedCitizen>(ISSUED_CITIZEN, personalId)
  if (issued === undefined) return undefined
  return { citizen: issuedCitizen(context.dataset, issued.value, view), household: newbornHousehold(context.dataset, issued.value, view)?.household }
}

export function isKnownProvince (code: string): boolean {
  return provinceByCode(code) !== undefined
}
