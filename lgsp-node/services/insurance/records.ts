// Builds insurance records — insured person, household, health card — from the generated dataset or
// from the cards this node issued (the write overlay). Identity fields come from citizenAt, so they
// are the population database's own.
import type { HealthCard, HealthCardSummary, InsuredHousehold, InsuredPerson, IssueChildCardRequest } from '../../../contracts/insurance.js'
import { provinceIndexByCode } from '../../../contracts/provinces.js'
import { homeOfCitizen, householdId, type HouseholdHome } from '../../data/citizen-record.js'
import { citizenAt, type CitizenCore } from '../../data/citizens.js'
import { cardTermsAt, childCardTerms, primaryCareFacility, validityOn, type CardTerms, type Facility, type FacilityPlace } from '../../data/health-cards.js'
import type { NationalDataset } from '../../data/dataset.js'
import { peopleOfCitizen } from '../../data/household-members.js'
import { generatedParentIndex, newbornRelation } from '../../data/parent-checks.js'
import { formatCardNumber, insuranceCodes, twoDigitProvinceCodes } from '../../data/insurance.js'
import type { NodeContext } from '../../service.js'

/** Overlay kinds: an issued card by the child's personal ID, by its social-insurance code, by birth registration. */
export const ISSUED_CARD = 'insurance-card'
export const ISSUED_CARD_BY_CODE = 'insurance-card-by-code'
export const ISSUED_CARD_BY_REGISTRATION = 'insurance-card-by-registration'
/** `<household id>/<personal id>`: children's cards registered in a generated household. */
export const ISSUED_CARD_BY_HOUSEHOLD = 'insurance-card-by-household'

export interface IssuedChildCard extends IssueChildCardRequest {
  readonly socialInsuranceCode: string
  readonly cardNumber: string
  readonly facility: Facility
}

export type FoundInsured =
  | { readonly source: 'generated', readonly person: InsuredPerson, readonly index: number, readonly home: HouseholdHome }
  | { readonly source: 'registered', readonly person: InsuredPerson, readonly issued: IssuedChildCard }

/** Where a household lives, as the card needs it: province (pre-2025 codes, as printed) and commune. */
function residenceOf (household: HouseholdHome): FacilityPlace {
  const { address } = household
  return {
    provinceIndex: provinceIndexByCode[Number(address.provinceCode)] ?? 0,
    communeCode: address.communeCode,
    commune: address.commune,
    district: address.district,
  }
}

/** `provinceCode`: the card number's two province digits (characters 3–4). */
function summary (terms: CardTerms, cardNumber: string, provinceCode: string, facility: Facility, today: string): HealthCardSummary {
  return {
    cardNumber,
    beneficiaryGroup: terms.group,
    benefitLevel: terms.benefitLevel,
    coveragePercent: terms.coveragePercent,
    provinceCode,
    validFrom: terms.validFrom,
    validTo: terms.validTo,
    validity: validityOn(terms.validFrom, terms.validTo, today),
    primaryCareFacility: facility,
  }
}

/** The card of a generated citizen living at `place`. */
function generatedCard (context: NodeContext, core: CitizenCore, code: string, place: FacilityPlace, today: string): { terms: CardTerms, card: HealthCardSummary } {
  const terms = cardTermsAt(context.dataset.seed, core.index, core.dateOfBirth, core.dateOfDeath, today)
  const provinceCode = twoDigitProvinceCodes[place.provinceIndex] as string
  const cardNumber = formatCardNumber({ group: terms.group, benefitLevel: terms.benefitLevel, provinceCode, socialInsuranceCode: code })
  return { terms, card: summary(terms, cardNumber, provinceCode, primaryCareFacility(place, terms.facilityDraw), today) }
}

export function generatedInsured (context: NodeContext, index: number, today: string): FoundInsured {
  const parts = context.dataset.population.describe(index)
  const core = citizenAt(context.dataset.population, index, parts)
  // The card needs where the household lives, not who else is in it: the members' IDs are left to insuredHousehold.
  const home = homeOfCitizen(context.dataset, index, '63')
  const code = insuranceCodes(context.dataset).codeAt(index, parts.provinceIndex)
  const { terms, card } = generatedCard(context, core, code, residenceOf(home), today)
  const person: InsuredPerson = {
    socialInsuranceCode: code,
    personalId: core.personalId,
    fullName: core.fullName,
    dateOfBirth: core.dateOfBirth,
    gender: core.gender,
    householdId: home.householdId,
    status: core.dateOfDeath === undefined ? 'alive' : 'deceased',
    participationType: terms.participationType,
    contributionStatus: terms.contributionStatus,
    card,
    source: 'generated',
  }
  return { source: 'generated', person, index, home }
}

/** The household a child's card is registered in: its parent's (as population has it), else its own. */
export function childHouseholdId (dataset: NationalDataset, issued: Pick<IssuedChildCard, 'motherId' | 'fatherId' | 'personalId'>): string {
  const parent = generatedParentIndex(dataset, issued)
  if (parent !== undefined) return homeOfCitizen(dataset, parent, '63').householdId
  // As the population database does for a child registered without a parent on record.
  return householdId(9_000_000_000 + Number(issued.personalId.slice(3)))
}

export function issuedInsured (dataset: NationalDataset, issued: IssuedChildCard, today: string): FoundInsured {
  const terms = childCardTerms(issued.dateOfBirth, 0)
  const person: InsuredPerson = {
    socialInsuranceCode: issued.socialInsuranceCode,
    personalId: issued.personalId,
    fullName: issued.fullName,
    dateOfBirth: issued.dateOfBirth,
    gender: issued.gender,
    householdId: childHouseholdId(dataset, issued),
    status: 'alive',
    participationType: terms.participationType,
    contributionStatus: terms.contributionStatus,
    card: summary(terms, issued.cardNumber, issued.cardNumber.slice(3, 5), issued.facility, today),
    source: 'registered',
  }
  return { source: 'registered', person, issued }
}

/** The insured person with this social-insurance code or personal ID (already well formed), or undefined. */
export function findInsured (context: NodeContext, key: string, today: string): FoundInsured | undefined {
  const { dataset, overlay } = context
  const index = key.length === 10 ? insuranceCodes(dataset).indexOf(key) : dataset.population.indexOf(key)
  if (index >= 0) return generatedInsured(context, index, today)
  const issued = overlay.get<IssuedChildCard>(key.length === 10 ? ISSUED_CARD_BY_CODE : ISSUED_CARD, key)
  return issued === undefined ? undefined : issuedInsured(dataset, issued.value, today)
}

type HouseholdMember = InsuredHousehold['members'][number]

function asMember (person: InsuredPerson, relationToHead: HouseholdMember['relationToHead']): HouseholdMember {
  const { householdId: _id, status: _status, participationType: _type, contributionStatus: _contribution, source: _source, ...member } = person
  return { ...member, relationToHead }
}

/**
 * Everyone insured in the household, whoever is asked about: its generated members, and the children
 * whose cards were registered in it (the head's child or grandchild, as population has them).
 */
export function insuredHousehold (context: NodeContext, found: FoundInsured, today: string): InsuredHousehold {
  const { dataset } = context
  const anchor = found.source === 'generated' ? found.index : generatedParentIndex(dataset, found.issued)
  if (anchor === undefined) return { householdId: found.person.householdId, members: [asMember(found.person, 'head')] }
  const people = peopleOfCitizen(dataset, anchor)
  const home = found.source === 'generated' ? found.home : homeOfCitizen(dataset, anchor, '63')
  const place = residenceOf(home)
  const codes = insuranceCodes(dataset)
  const generated = people.members.map((member) => {
    const core = citizenAt(dataset.population, member.index)
    const code = codes.codeAt(member.index)
    const { card } = generatedCard(context, core, code, place, today)
    return { socialInsuranceCode: code, personalId: core.personalId, fullName: core.fullName, dateOfBirth: core.dateOfBirth, gender: core.gender, relationToHead: member.relation, card }
  })
  const children = context.overlay.listPrefix<string>(ISSUED_CARD_BY_HOUSEHOLD, `${home.householdId}/`).flatMap((row) => {
    const issued = context.overlay.get<IssuedChildCard>(ISSUED_CARD, row.value)?.value
    if (issued === undefined) return []
    return [asMember(issuedInsured(dataset, issued, today).person, newbornRelation(people.members, generatedParentIndex(dataset, issued)))]
  })
  return { householdId: home.householdId, members: [...generated, ...children] }
}

export function healthCardOf (found: FoundInsured, today: string): HealthCard {
  const { person } = found
  return {
    ...person.card,
    holder: { socialInsuranceCode: person.socialInsuranceCode, personalId: person.personalId, fullName: person.fullName, dateOfBirth: person.dateOfBirth, gender: person.gender },
    checkedOn: today,
    source: person.source,
  }
}
