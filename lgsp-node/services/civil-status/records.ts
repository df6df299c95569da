// The civil-status read service `civil-records`: a record by registration number, and every record a
// person takes part in — generated ones computed from the dataset, registered births from the overlay.
import {
  civilPersonParamsSchema, civilRecordSchema, personCivilRecordsSchema, REGISTERED_SERIAL_FROM, registrationNumberParamsSchema,
  registrationNumberParts, registrationNumberProblem, type CivilRecord,
} from '../../../contracts/civil-status.js'
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { personalIdProblem } from '../../../contracts/identifiers.js'
import { civilStatusOf, type CivilStatusRegister } from '../../data/civil-status.js'
import type { NodeContext, NodeService } from '../../service.js'
import { registeredBirth, registeredBirthsOf } from './registered-births.js'

const config = { service: 'civil-records' }
const errors = { 400: problemSchema, 404: problemSchema }
const BY_PERSON = 'by-person/'

export function findCivilRecord (context: NodeContext, register: CivilStatusRegister, registrationNumber: string): CivilRecord | undefined {
  const { prefix, year, serial } = registrationNumberParts(registrationNumber)
  if (serial < REGISTERED_SERIAL_FROM) return register.find(prefix, year, serial)
  return prefix === 'KS' ? registeredBirth(context.overlay, registrationNumber) : undefined
}

function byDate (a: CivilRecord, b: CivilRecord): number {
  if (a.registrationDate !== b.registrationDate) return a.registrationDate < b.registrationDate ? -1 : 1
  return a.registrationNumber < b.registrationNumber ? -1 : a.registrationNumber > b.registrationNumber ? 1 : 0
}

/** Why a path under /civil-records/ that no route took is not an identifier (over-long, or with a slash). */
function unroutableProblem (rest: string): string {
  if (rest.startsWith(BY_PERSON)) {
    const personalId = rest.slice(BY_PERSON.length)
    return personalIdProblem(personalId) ?? 'personal ID must be 12 digits with nothing after it'
  }
  return registrationNumberProblem(rest) ?? 'registration number must be one path segment, e.g. /civil-records/KS-2019-04839201'
}

export const civilRecordsService: NodeService = {
  code: 'civil-records',
  title: 'Civil-status database (hộ tịch, Ministry of Justice)',
  register (app, context) {
    const register = civilStatusOf(context.dataset)

    app.get('/civil-records/:registrationNumber', {
      config,
      schema: { summary: 'A civil-status record by registration number', params: registrationNumberParamsSchema, response: { 200: civilRecordSchema, ...errors } },
    }, (request) => {
      const record = findCivilRecord(context, register, request.params.registrationNumber)
      if (record === undefined) throw new NdxpError('client.not_found', 'No civil-status record has this registration number (the year is part of it).')
      return record
    })

    app.get('/civil-records/by-person/:personalId', {
      config,
      schema: { summary: 'Every civil-status record a person takes part in', params: civilPersonParamsSchema, response: { 200: personCivilRecordsSchema, ...errors } },
    }, (request) => {
      const { personalId } = request.params
      const index = context.dataset.population.indexOf(personalId)
      const registered = registeredBirthsOf(context.overlay, personalId)
      // A newborn's ID issued by the population node is known here only through its birth record.
      if (index < 0 && registered.length === 0) throw new NdxpError('client.not_found', 'No citizen has this personal ID.')
      const generated = index < 0 ? [] : register.recordsOf(index)
      return { personalId, records: registered.length === 0 ? generated : [...generated, ...registered].sort(byDate) }
    })

    // Over-long or multi-segment identifiers miss the routes above; answer what is wrong rather than 404/414.
    app.get('/civil-records/*', {
      config,
      schema: { hide: true, response: { 400: problemSchema } },
    }, (request) => {
      const rest = (request.params as { '*': string })['*']
      throw new NdxpError('client.invalid_identifier', unroutableProblem(rest))
    })
  },
}
