// Issuing a health-insurance card to a child under six (the civil-status → insurance flow): the child
// gets the next unused social-insurance code of its birth province, so an issued code can never
// collide with a generated one or another issued one; a repeat of the same request returns the card.
import { NdxpError } from '../../../contracts/errors.js'
import type { HealthCard, IssueChildCardRequest } from '../../../contracts/insurance.js'
import { provinces, type Province } from '../../../contracts/provinces.js'
import { communeInProvince } from '../../data/communes.js'
import { Rng } from '../../data/hash.js'
import { isUnderSix, primaryCareFacility } from '../../data/health-cards.js'
import { vietnamToday } from '../../../contracts/vietnam-time.js'
import { formatCardNumber, insuranceCodes } from '../../data/insurance.js'
import { generatedParentIndex } from '../../data/parent-checks.js'
import { parsePersonalId } from '../../data/population-index.js'
import type { NodeContext } from '../../service.js'
import {
  childHouseholdId, generatedInsured, healthCardOf, issuedInsured, ISSUED_CARD, ISSUED_CARD_BY_CODE, ISSUED_CARD_BY_HOUSEHOLD, ISSUED_CARD_BY_REGISTRATION, type IssuedChildCard,
} from './records.js'

export interface IssueOutcome {
  readonly created: boolean
  readonly card: HealthCard
}

/** Checks that need no stored state; returns the birth province index the personal ID encodes. */
function checkRequest (request: IssueChildCardRequest, today: string): number {
  const { dateOfBirth, personalId, gender } = request
  if (dateOfBirth > today) throw new NdxpError('client.bad_request', `dateOfBirth ${dateOfBirth} is in the future (today is ${today} in Vietnam)`)
  if (!isUnderSix(dateOfBirth, today)) {
    throw new NdxpError('client.bad_request', `dateOfBirth ${dateOfBirth} makes the child 6 or older on ${today}: only children under 6 get a TE card here; older children are insured as pupils`)
  }
  const parts = parsePersonalId(personalId)
  if (parts === undefined) throw new NdxpError('client.bad_request', `personalId ${personalId} is not a personal ID`)
  if (parts.birthYear !== Number(dateOfBirth.slice(0, 4))) {
    throw new NdxpError('client.bad_request', `personalId encodes birth year ${parts.birthYear} but dateOfBirth is ${dateOfBirth}; send the child's own personal ID`)
  }
  if (parts.gender !== gender) throw new NdxpError('client.bad_request', `personalId encodes gender ${parts.gender} but gender is ${gender}`)
  return parts.provinceIndex
}

function sameRequest (issued: IssueChildCardRequest, request: IssueChildCardRequest): boolean {
  return issued.fullName === request.fullName && issued.dateOfBirth === request.dateOfBirth && issued.gender === request.gender &&
    issued.birthRegistrationNumber === request.birthRegistrationNumber && issued.motherId === request.motherId && issued.fatherId === request.fatherId
}

export function issueChildCard (context: NodeContext, request: IssueChildCardRequest): IssueOutcome {
  const now = context.clock()
  const today = vietnamToday(now)
  const provinceIndex = checkRequest(request, today)
  const { dataset, overlay } = context
  for (const [field, parentId] of [['motherId', request.motherId], ['fatherId', request.fatherId]] as const) {
    if (parentId !== undefined && dataset.population.indexOf(parentId) < 0) throw new NdxpError('client.bad_request', `${field} names no citizen on record; leave it out if the parent is unknown`)
  }
  const generatedIndex = dataset.population.indexOf(request.personalId)
  if (generatedIndex >= 0) {
    const existing = generatedInsured(context, generatedIndex, today).person.card.cardNumber
    throw new NdxpError('client.conflict', `child ${request.personalId} is already insured: health-insurance card ${existing}`)
  }
  return overlay.transaction(() => {
    const previous = overlay.get<IssuedChildCard>(ISSUED_CARD, request.personalId)
    if (previous !== undefined) {
      if (!sameRequest(previous.value, request)) {
        throw new NdxpError('client.conflict', `child ${request.personalId} already has health-insurance card ${previous.value.cardNumber}, issued with different details`)
      }
      return { created: false, card: healthCardOf(issuedInsured(dataset, previous.value, today), today) }
    }
    const registration = request.birthRegistrationNumber
    const byRegistration = registration === undefined ? undefined : overlay.get<IssuedChildCard>(ISSUED_CARD_BY_REGISTRATION, registration)
    if (byRegistration !== undefined) {
      throw new NdxpError('client.conflict', `birth registration ${registration} already obtained health-insurance card ${byRegistration.value.cardNumber} for another child`)
    }
    const codes = insuranceCodes(dataset)
    const province = provinces[provinceIndex] as Province
    const position = codes.generatedCount(provinceIndex) + overlay.countPrefix(ISSUED_CARD_BY_CODE, province.code.slice(1))
    const socialInsuranceCode = codes.codeAtPosition(provinceIndex, position)
    // Until a household is on record the card is registered in the province of birth.
    const rng = Rng.keyed(dataset.seed, 0xc41d, Number(request.personalId.slice(3)), provinceIndex)
    const commune = communeInProvince(provinceIndex, rng, dataset.seed)
    const facility = primaryCareFacility({ provinceIndex, communeCode: commune.code, commune: commune.name, district: commune.district }, rng.next())
    const cardNumber = formatCardNumber({ group: 'TE', benefitLevel: 1, provinceCode: province.code.slice(1), socialInsuranceCode })
    const issued: IssuedChildCard = { ...request, socialInsuranceCode, cardNumber, facility }
    overlay.insert(ISSUED_CARD, request.personalId, issued, now)
    overlay.insert(ISSUED_CARD_BY_CODE, socialInsuranceCode, issued, now)
    if (registration !== undefined) overlay.insert(ISSUED_CARD_BY_REGISTRATION, registration, issued, now)
    if (generatedParentIndex(dataset, issued) !== undefined) overlay.insert(ISSUED_CARD_BY_HOUSEHOLD, `${childHouseholdId(dataset, issued)}/${issued.personalId}`, issued.personalId, now)
    return { created: true, card: healthCardOf(issuedInsured(dataset, issued, today), today) }
  })
}
