// The civil-status write, service `births`: registering a birth. When a personal-ID issuer is given
// (the population database, reached through the hub) the record stores the newborn's ID; the record
// is only written once the issuer has answered, so a failed call leaves no half-registered birth.
import { birthRecordSchema, birthRegistrationRequestSchema, REGISTERED_SERIAL_FROM, registrationNumberParts, type BirthRecord, type BirthRegistrationRequest } from '../../../contracts/civil-status.js'
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { personalIdProblem } from '../../../contracts/identifiers.js'
import type { Gender } from '../../data/population-index.js'
import { parsePersonalId } from '../../data/population-index.js'
import { authorityOf, personOf } from '../../data/civil-status-people.js'
import type { NodeContext, NodeService } from '../../service.js'
import { checkBirth } from './birth-checks.js'
import { reserveBirthNumber, saveBirth } from './registered-births.js'

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
/** Registration dates are Vietnam's calendar days (UTC+7), whatever the server's zone. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000

async function obtainPersonalId (issuer: PersonalIdIssuer, request: PersonalIdRequest, link: ExchangeLink): Promise<string> {
  let answer: { personalId: string }
  try {
    answer = await issuer(request, link)
  } catch (error) {
    if (error instanceof NdxpError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new NdxpError('server.provider_unreachable', `The population database did not issue a personal ID (${reason}); nothing was registered: send the registration again.`, { cause: error })
  }
  const personalId = String(answer?.personalId)
  const parts = parsePersonalId(personalId)
  const matches = personalIdProblem(personalId) === undefined && parts !== undefined && personalId.startsWith(request.birthProvinceCode) &&
    parts.gender === request.gender && String(parts.birthYear) === request.dateOfBirth.slice(0, 4)
  if (!matches) throw new NdxpError('server.provider_unreachable', 'The population database answered with a personal ID that does not fit the child (province, gender, birth year); nothing was registered.')
  return personalId
}

export async function registerBirth (context: NodeContext, request: BirthRegistrationRequest, issuer: PersonalIdIssuer | undefined, link: ExchangeLink = {}): Promise<BirthRecord> {
  const now = context.clock()
  const today = new Date(now.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10)
  const { place, father, mother } = checkBirth(context.dataset, request, today)
  const year = Number(today.slice(0, 4))
  const registrationNumber = reserveBirthNumber(context.overlay, year, now)
  const personalId = issuer === undefined
    ? undefined
    : await obtainPersonalId(issuer, {
      fullName: request.fullName,
      gender: request.gender,
      dateOfBirth: request.dateOfBirth,
      birthProvinceCode: request.placeOfBirth.provinceCode,
      ...(request.fatherId === undefined ? {} : { fatherId: request.fatherId }),
      ...(request.motherId === undefined ? {} : { motherId: request.motherId }),
      birthRegistrationNumber: registrationNumber,
    }, link)
  const sequence = registrationNumberParts(registrationNumber).serial - REGISTERED_SERIAL_FROM
  const record: BirthRecord = {
    registrationNumber,
    type: 'birth',
    book: `Quyển số ${String(Math.floor(sequence / PAGES_PER_BOOK) + 1).padStart(2, '0')}/${year}`,
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
  saveBirth(context.overlay, record, now)
  return record
}

export function createBirthsService (options: BirthsServiceOptions = {}): NodeService {
  return {
    code: 'births',
    title: 'Birth registration (đăng ký khai sinh)',
    register (app, context) {
      app.post('/births', {
        config: { service: 'births' },
        schema: {
          summary: 'Register a birth; with a personal-ID issuer configured, the record carries the newborn\'s personal ID',
          body: birthRegistrationRequestSchema,
          response: { 201: birthRecordSchema, 400: problemSchema, 409: problemSchema, 502: problemSchema },
        },
      }, async (request, reply) => {
        const messageId = request.headers['x-road-id']
        const record = await registerBirth(context, request.body, options.personalIdIssuer, typeof messageId === 'string' ? { messageId } : {})
        return reply.code(201).send(record)
      })
    },
  }
}

export const birthsService = createBirthsService({})
