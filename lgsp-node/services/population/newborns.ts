// Issuing a personal ID to a newborn: the next unused serial of its province, year and gender, so an
// issued ID can never collide with a generated citizen or with another issued one.
import { comparableName } from '../../../contracts/common-records.js'
import { NdxpError } from '../../../contracts/errors.js'
import type { NewbornRequest } from '../../../contracts/population.js'
import { provinceIndexByCode } from '../../../contracts/provinces.js'
import { dayOfIso } from '../../data/calendar.js'
import { citizenAt } from '../../data/citizens.js'
import { parentProblem, type ParentFacts } from '../../data/parent-checks.js'
import type { NodeContext } from '../../service.js'
import { ISSUED_BY_HOUSEHOLD, ISSUED_BY_REGISTRATION, ISSUED_CITIZEN, isKnownProvince, newbornHousehold, type IssuedCitizen } from './records.js'

const DAY_MS = 86_400_000
/** Birth registration is due within 60 days; late ones happen, so allow a year. */
const MAX_AGE_DAYS = 366

export interface IssueOutcome {
  created: boolean
  response: { personalId: string, birthRegistrationNumber: string, issuedAt: string }
}

function checkRequest (context: NodeContext, request: NewbornRequest, today: Date): void {
  if (!isKnownProvince(request.birthProvinceCode)) {
    throw new NdxpError('client.bad_request', `birthProvinceCode ${request.birthProvinceCode} is not a province code (001 Hà Nội … 096 Cà Mau)`)
  }
  const ageDays = (today.getTime() - Date.parse(`${request.dateOfBirth}T00:00:00Z`)) / DAY_MS
  if (ageDays < -1) throw new NdxpError('client.bad_request', `dateOfBirth ${request.dateOfBirth} is in the future`)
  if (ageDays > MAX_AGE_DAYS) throw new NdxpError('client.bad_request', `dateOfBirth ${request.dateOfBirth} is over a year ago: only newborns are issued IDs here; older citizens already have one`)
  const birthDay = dayOfIso(request.dateOfBirth)
  for (const [field, id] of [['fatherId', request.fatherId], ['motherId', request.motherId]] as const) {
    if (id === undefined) continue
    const parent = parentOnRecord(context, id)
    if (parent === undefined) throw new NdxpError('client.bad_request', `${field} names no citizen on record; leave it out if the parent is unknown`)
    const problem = parentProblem(field, parent, birthDay)
    if (problem !== undefined) throw new NdxpError('client.bad_request', problem)
  }
}

/** A generated citizen, or one issued here (a newborn: never old enough to be a parent, but on record). */
function parentOnRecord (context: NodeContext, personalId: string): ParentFacts | undefined {
  const index = context.dataset.population.indexOf(personalId)
  if (index >= 0) return citizenAt(context.dataset.population, index)
  return context.overlay.get<IssuedCitizen>(ISSUED_CITIZEN, personalId)?.value
}

export function issueNewborn (context: NodeContext, request: NewbornRequest): IssueOutcome {
  const today = context.clock()
  checkRequest(context, request, today)
  const { overlay, dataset } = context
  return overlay.transaction(() => {
    const previous = overlay.get<IssuedCitizen>(ISSUED_BY_REGISTRATION, request.birthRegistrationNumber)
    if (previous !== undefined) {
      // The same child as the register sees it: a retry may retype the name's case or spacing.
      const same = comparableName(previous.value.fullName) === comparableName(request.fullName) && previous.value.dateOfBirth === request.dateOfBirth && previous.value.gender === request.gender
      if (!same) throw new NdxpError('client.conflict', `birth registration ${request.birthRegistrationNumber} already obtained an ID for a different child`)
      return { created: false, response: { personalId: previous.value.personalId, birthRegistrationNumber: request.birthRegistrationNumber, issuedAt: previous.createdAt } }
    }
    const provinceIndex = provinceIndexByCode[Number(request.birthProvinceCode)] as number
    const birthYear = Number(request.dateOfBirth.slice(0, 4))
    const population = dataset.population
    const bucketPrefix = population.idAtPosition(provinceIndex, birthYear, request.gender, 0).slice(0, 6)
    const position = population.generatedCount(provinceIndex, birthYear, request.gender) + overlay.countPrefix(ISSUED_CITIZEN, bucketPrefix)
    if (position >= 1_000_000) throw new NdxpError('client.conflict', 'every serial for this province, year and gender is taken')
    const personalId = population.idAtPosition(provinceIndex, birthYear, request.gender, position)
    const issued: IssuedCitizen = { ...request, personalId, ethnicity: 'Kinh' }
    overlay.insert(ISSUED_CITIZEN, personalId, issued, today)
    overlay.insert(ISSUED_BY_REGISTRATION, request.birthRegistrationNumber, issued, today)
    const joined = newbornHousehold(dataset, issued, '63')
    if (joined !== undefined) overlay.insert(ISSUED_BY_HOUSEHOLD, `${joined.household.householdId}/${personalId}`, personalId, today)
    return { created: true, response: { personalId, birthRegistrationNumber: request.birthRegistrationNumber, issuedAt: today.toISOString() } }
  })
}
