// The insurance database service `health-cards`: check a health-insurance card (is it real, is it
// valid today) and issue one to a child under six.
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { healthCardParamsSchema, healthCardSchema, issueChildCardRequestSchema } from '../../../contracts/insurance.js'
import { vietnamToday } from '../../../contracts/vietnam-time.js'
import { parseCardNumber } from '../../data/insurance.js'
import type { NodeService } from '../../service.js'
import { issueChildCard } from './child-cards.js'
import { findInsured, healthCardOf } from './records.js'

const config = { service: 'health-cards' }
const errors = { 400: problemSchema, 404: problemSchema }

export const healthCardService: NodeService = {
  code: 'health-cards',
  title: 'Insurance database (CSDL về bảo hiểm): health-insurance cards',
  register (app, context) {
    app.get('/health-cards/:cardNumber', {
      config,
      schema: {
        summary: 'Check a health-insurance card and its validity today',
        params: healthCardParamsSchema,
        response: { 200: healthCardSchema, ...errors },
      },
    }, (request) => {
      const { cardNumber } = request.params
      const today = vietnamToday(context.clock())
      const found = findInsured(context, parseCardNumber(cardNumber).socialInsuranceCode, today)
      // A number whose group, level or province differs from the holder's card is not a card at all.
      if (found === undefined || found.person.card.cardNumber !== cardNumber) {
        throw new NdxpError('client.not_found', `No such card: no health-insurance card has number ${cardNumber}.`)
      }
      return healthCardOf(found, today)
    })

    app.post('/health-cards', {
      config,
      schema: {
        summary: 'Issue a health-insurance card to a child under six (idempotent by personal ID)',
        body: issueChildCardRequestSchema,
        response: { 200: healthCardSchema, 201: healthCardSchema, 409: problemSchema, 413: problemSchema, 415: problemSchema, ...errors },
      },
    }, async (request, reply) => {
      const outcome = issueChildCard(context, request.body)
      return reply.code(outcome.created ? 201 : 200).send(outcome.card)
    })
  },
}
