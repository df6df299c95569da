// What a birth registration must satisfy before it gets a number: a real commune of the named
// province, a birth date in the last year, and parents who exist, have the right gender and age,
// and were alive when the child was born (or conceived, for the father).
import type { BirthRegistrationRequest, CivilPlace } from '../../../contracts/civil-status.js'
import { NdxpError } from '../../../contracts/errors.js'
import { provinceByCode } from '../../../contracts/provinces.js'
import { citizenAt, type CitizenCore } from '../../data/citizens.js'
import { dayOfIso } from '../../data/calendar.js'
import { placeOfCommune } from '../../data/civil-status-people.js'
import { communeByCode } from '../../data/communes.js'
import type { NationalDataset } from '../../data/dataset.js'
import { parentProblem } from '../../data/parent-checks.js'

/** Registration is due within 60 days of the birth; late ones happen, so allow a year. */
const MAX_AGE_DAYS = 366

export interface CheckedBirth {
  readonly place: CivilPlace
  readonly father: CitizenCore | undefined
  readonly mother: CitizenCore | undefined
}

function badRequest (detail: string): NdxpError {
  return new NdxpError('client.bad_request', detail)
}

function checkPlace (dataset: NationalDataset, request: BirthRegistrationRequest): CivilPlace {
  const { provinceCode, communeCode } = request.placeOfBirth
  const province = provinceByCode(provinceCode)
  if (province === undefined) throw badRequest(`placeOfBirth.provinceCode ${provinceCode} is not a province code (001 Hà Nội … 096 Cà Mau)`)
  const commune = communeByCode(communeCode, dataset.seed)
  if (commune === undefined) throw badRequest(`placeOfBirth.communeCode ${communeCode} names no commune`)
  if (commune.province.code !== provinceCode) {
    throw badRequest(`placeOfBirth.communeCode ${communeCode} (${commune.name}) is in ${commune.province.name} (${commune.province.code}), not in ${province.name} (${provinceCode})`)
  }
  return placeOfCommune(commune)
}

function checkParent (dataset: NationalDataset, field: 'fatherId' | 'motherId', personalId: string | undefined, birthDay: number): CitizenCore | undefined {
  if (personalId === undefined) return undefined
  const index = dataset.population.indexOf(personalId)
  if (index < 0) throw badRequest(`${field} names no citizen on record; leave it out if the parent is unknown`)
  const parent = citizenAt(dataset.population, index)
  const problem = parentProblem(field, parent, birthDay)
  if (problem !== undefined) throw badRequest(problem)
  return parent
}

/** Checks a registration made on `today` (a Vietnam-time ISO date); throws 400 problems saying what is wrong. */
export function checkBirth (dataset: NationalDataset, request: BirthRegistrationRequest, today: string): CheckedBirth {
  const place = checkPlace(dataset, request)
  const birthDay = dayOfIso(request.dateOfBirth)
  const ageDays = dayOfIso(today) - birthDay
  if (ageDays < 0) throw badRequest(`dateOfBirth ${request.dateOfBirth} is in the future (today is ${today})`)
  if (ageDays > MAX_AGE_DAYS) throw badRequest(`dateOfBirth ${request.dateOfBirth} is over a year ago: only recent births are registered here`)
  const father = checkParent(dataset, 'fatherId', request.fatherId, birthDay)
  const mother = checkParent(dataset, 'motherId', request.motherId, birthDay)
  const declarantId = request.declarant.personalId
  if (declarantId !== undefined && declarantId !== request.fatherId && declarantId !== request.motherId && dataset.population.indexOf(declarantId) < 0) {
    throw badRequest('declarant.personalId names no citizen on record; leave it out if the declarant has none')
  }
  return { place, father, mother }
}
