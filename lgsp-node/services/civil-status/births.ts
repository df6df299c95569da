// The civil-status write, service `births`: registering a birth. When a personal-ID issuer is given
// (the population database, reached through the hub) the record stores the newborn's ID; the record
// is only written once the issuer has answered, so a failed call leaves no half-registered birth. The
// birth keeps its number across a failure: population, idempotent by that number, may have issued the
// ID before the failure, and the retry then gets that same ID rather than a second one.
import { birthRecordSchema, birthRegistrationRequestSchema, REGISTERED_SERIAL_FROM, registrationNumberParts, type BirthRecord, type BirthRegistrationRequest } from '../../../contracts/civil-status.js'
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { personalIdProblem } from '../../../contracts/identifiers.js'
import { vietnamToday } from '../../../contracts/vietnam-time.js'
import type { Gender } from '../../data/population-index.js'
import { parsePersonalId } from '../../data/population-index.js'
import { authorityOf, personOf } from '../../data/civil-status-people.js'
import type { NodeContext, NodeService } from '../../service.js'
import { checkBirth } from './birth-checks.js'
import { birthKeyOf, birthRegisteredAs, releaseBirthNumber, reserveBirthNumber, saveBirth } from './registered-births.js'

export interface PersonalIdRequest {
  readonly fullName: string
  readonly gender: Gender
  readonly dateOfBirth: string
  readonly birthProvinceCode: string
  readonly fatherId?: string
  readonly motherId?: string
  readonly birthRegistrationNumber: string
}

/** What ties the ID request to the birth registration that caused it (the caller's X-Road-Id). */
export interface ExchangeLink {
  readonly messageId?: string
}

/** Obtains the newborn's personal ID, e.g. POST /citizens/newborns on the population node via the hub. */
export type PersonalIdIssuer = (request: PersonalIdRequest, link: ExchangeLink) => Promise<{ personalId: string }>

export interface BirthsServiceOptions {
  readonly personalIdIssuer?: PersonalIdIssuer
}

const PAGES_PER_BOOK = 250

/** The issuer's answer; a failure says what happened and that a retry is safe. Throws WrongPersonalId for an ID that cannot be the child's. */
async function obtainPersonalId (issuer: PersonalIdIssuer, request: PersonalIdRequest, link: ExchangeLink): Promise<string> {
  let answer: { personalId: string }
  try {
    answer = await issuer(request, link)
  } catch (error) {
    if (error instanceof RegistrationNumberTaken) throw error
    const retry = `nothing was registered; send the same registration again: it keeps number ${request.birthRegistrationNumber}, so population answers with the ID it may already have issued`
    if (error instanceof NdxpError) throw new NdxpError(error.code, `${error.message}; ${retry}`, { cause: error, headers: error.headers })
    const reason = error instanceof Error ? error.message : String(error)
    throw new NdxpError('server.provider_unreachable', `The population database did not issue a personal ID (${reason}); ${retry}`, { cause: error })
  }
  const personalId = String(answer?.personalId)
  const parts = parsePersonalId(personalId)
  const matches = personalIdProblem(personalId) === undefined && parts !== undefined && personalId.startsWith(request.birthProvinceCode) &&
    parts.gender === request.gender && String(parts.birthYear) === request.dateOfBirth.slice(0, 4)
  if (!matches) throw new WrongPersonalId()
  return personalId
}

class WrongPersonalId extends NdxpError {
  constructor () {
    super('server.provider_unreachable', 'The population database answered with a personal ID that does not fit the child (province, gender, birth year); nothing was registered, and a retry asks for an ID under a new number.')
  }
}

/**
 * Thrown by an issuer when population has already issued an ID under that number for another child:
 * numbering here started over (this node's overlay was reset, population's was not). The birth
 * takes the next number at once.
 */
export class RegistrationNumberTaken extends NdxpError {
  constructor (registrationNumber: string) {
    super('client.conflict', `population already issued an ID under ${registrationNumber} for another child`)
  }
}

/** Numbers population may turn down one after another before the registration gives up. */
const MAX_TAKEN_NUMBERS = 50

/**
 * Registers the birth, or, when this birth (birthKeyOf) is already registered, returns its record
 * with `created: false`: a repeat is answered, never registered twice.
 */
export async function registerBirth (context: NodeContext, request: BirthRegistrationRequest, issuer: PersonalIdIssuer | undefined, link: ExchangeLink = {}): Promise<{ record: BirthRecord, created: boolean }> {
  const now = context.clock()
  const today = vietnamToday(now)
  const { place, father, mother } = checkBirth(context.dataset, request, today)
  const year = Number(today.slice(0, 4))
  const birthKey = birthKeyOf(request)
  const registered = birthRegisteredAs(context.overlay, birthKey)
  if (registered !== undefined) return { record: registered, created: false }
  let registrationNumber = reserveBirthNumber(context.overlay, year, now, birthKey)
  let personalId: string | undefined
  for (let taken = 0; issuer !== undefined && personalId === undefined; taken++) {
    try {
      personalId = await obtainPersonalId(issuer, {
        fullName: request.fullName,
        gender: request.gender,
        dateOfBirth: request.dateOfBirth,
        birthProvinceCode: request.placeOfBirth.provinceCode,
        ...(request.fatherId === undefined ? {} : { fatherId: request.fatherId }),
        ...(request.motherId === undefined ? {} : { motherId: request.motherId }),
        birthRegistrationNumber: registrationNumber,
      }, link)
    } catch (error) {
      // That number's ID is not this child's: asking again under it would get the same answer.
      if (error instanceof WrongPersonalId || error instanceof RegistrationNumberTaken) releaseBirthNumber(context.overlay, birthKey)
      if (!(error instanceof RegistrationNumberTaken)) throw error
      if (taken + 1 >= MAX_TAKEN_NUMBERS) {
        throw new NdxpError('server.provider_unreachable', `population had already issued IDs under ${MAX_TAKEN_NUMBERS} numbers in a row to other children (was this node's overlay reset without population's?); reset both, or retry`)
      }
      registrationNumber = reserveBirthNumber(context.overlay, year, now, birthKey)
    }
  }
  // A number held from an attempt before New Year keeps its year: the book is that year's.
  const number = registrationNumberParts(registrationNumber)
  const sequence = number.serial - REGISTERED_SERIAL_FROM
  const record: BirthRecord = {
    registrationNumber,
    type: 'birth',
    book: `Quyển số ${String(Math.floor(sequence / PAGES_PER_BOOK) + 1).padStart(2, '0')}/${number.year}`,
    page: (sequence % PAGES_PER_BOOK) + 1,
    registrationDate: today,
    issuingAuthority: authorityOf(place),
    source: 'registered',
    child: { fullName: request.fullName, gender: request.gender, dateOfBirth: request.dateOfBirth },
    placeOfBirth: place,
    declarant: { ...request.declarant },
  }
  if (personalId !== undefined) record.child.personalId = personalId
  if (father !== undefined) record.father = personOf(father)
  if (mother !== undefined) record.mother = personOf(mother)
  return saveBirth(context.overlay, record, now, birthKey)
}

export function createBirthsService (options: BirthsServiceOptions = {}): NodeService {
  return {
    code: 'births',
    title: 'Birth registration (đăng ký khai sinh)',
    register (app, context) {
      app.post('/births', {
        config: { service: 'births' },
        schema: {
          summary: 'Register a birth (201); the same birth sent again gets its record back (200). With a personal-ID issuer configured, the record carries the newborn\'s personal ID',
          body: birthRegistrationRequestSchema,
          response: { 200: birthRecordSchema, 201: birthRecordSchema, 400: problemSchema, 409: problemSchema, 413: problemSchema, 415: problemSchema, 502: problemSchema, 504: problemSchema },
        },
      }, async (request, reply) => {
        const messageId = request.headers['x-road-id']
        const { record, created } = await registerBirth(context, request.body, options.personalIdIssuer, typeof messageId === 'string' ? { messageId } : {})
        return reply.code(created ? 201 : 200).send(record)
      })
    },
  }
}

export const birthsService = createBirthsService({})
