// The population database service `citizens`: look-up, identity verification, household, and the
// one write — issuing a personal ID to a newborn whose birth the civil-status register recorded.
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { comparableName, viewQuerySchema } from '../../../contracts/common-records.js'
import {
  citizenSchema, householdSchema, newbornRequestSchema, newbornResponseSchema, personalIdParamsSchema,
  verifyIdentityRequestSchema, verifyIdentityResponseSchema,
} from '../../../contracts/population.js'
import { citizenAt } from '../../data/citizens.js'
import type { NodeService } from '../../service.js'
import { findCitizen, newbornsOf } from './records.js'
import { issueNewborn } from './newborns.js'

const config = { service: 'citizens' }
const errors = { 400: problemSchema, 404: problemSchema }
/** What a JSON body can be refused for before the route sees it. */
const bodyErrors = { 413: problemSchema, 415: problemSchema }


export const populationService: NodeService = {
  code: 'citizens',
  title: 'Population database (CSDL quốc gia về dân cư)',
  register (app, context) {
    app.get('/citizens/:personalId', {
      config,
      schema: { summary: 'Look up a citizen by personal ID', params: personalIdParamsSchema, querystring: viewQuerySchema, response: { 200: citizenSchema, ...errors } },
    }, (request) => {
      const found = findCitizen(context, request.params.personalId, request.query.view)
      if (found === undefined) throw new NdxpError('client.not_found', 'No citizen has this personal ID.')
      return found.citizen
    })

    app.get('/citizens/:personalId/household', {
      config,
      schema: { summary: "A citizen's household and its members", params: personalIdParamsSchema, querystring: viewQuerySchema, response: { 200: householdSchema, ...errors } },
    }, (request) => {
      const found = findCitizen(context, request.params.personalId, request.query.view)
      if (found === undefined) throw new NdxpError('client.not_found', 'No citizen has this personal ID.')
      if (found.household === undefined) {
        const c = found.citizen
        return { householdId: c.householdId, address: c.permanentResidence, members: [{ personalId: c.personalId, fullName: c.fullName, gender: c.gender, dateOfBirth: c.dateOfBirth, relationToHead: c.relationToHead }] }
      }
      // Everyone in it, wherever asked from: the generated members and the newborns issued here who joined it.
      return {
        householdId: found.household.householdId,
        address: found.household.address,
        members: [
          ...found.household.members.map((member) => {
            const core = citizenAt(context.dataset.population, member.index)
            return { personalId: member.personalId, fullName: core.fullName, gender: core.gender, dateOfBirth: core.dateOfBirth, relationToHead: member.relation }
          }),
          ...newbornsOf(context, found.household),
        ],
      }
    })

    app.post('/citizens/verify', {
      config,
      schema: { summary: 'Verify a claimed identity (ID + name + birth date)', body: verifyIdentityRequestSchema, response: { 200: verifyIdentityResponseSchema, 400: problemSchema, ...bodyErrors } },
    }, (request) => {
      const claim = request.body
      const found = findCitizen(context, claim.personalId, '63')
      // An unknown ID is just another claim that does not match (see verifyIdentityResponseSchema).
      const match = found !== undefined && comparableName(claim.fullName) === comparableName(found.citizen.fullName) && claim.dateOfBirth === found.citizen.dateOfBirth
      return match ? { match, status: found.citizen.status } : { match }
    })

    app.post('/citizens/newborns', {
      config,
      schema: {
        summary: 'Issue a personal ID to a newborn (idempotent by birth registration number)',
        body: newbornRequestSchema,
        response: { 200: newbornResponseSchema, 201: newbornResponseSchema, 409: problemSchema, ...errors, ...bodyErrors },
      },
    }, async (request, reply) => {
      const outcome = issueNewborn(context, request.body)
      return reply.code(outcome.created ? 201 : 200).send(outcome.response)
    })
  },
}

