// The insurance database service `insured`: an insured person by social-insurance code or, since
// August 2025, by personal ID, and the insured household with every member's card.
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { insuredHouseholdSchema, insuredParamsSchema, insuredPersonSchema } from '../../../contracts/insurance.js'
import { vietnamToday } from '../../../contracts/vietnam-time.js'
import type { NodeContext, NodeService } from '../../service.js'
import { findInsured, insuredHousehold, type FoundInsured } from './records.js'

const config = { service: 'insured' }
const errors = { 400: problemSchema, 404: problemSchema }

function mustFind (context: NodeContext, code: string, today: string): FoundInsured {
  const found = findInsured(context, code, today)
  if (found === undefined) throw new NdxpError('client.not_found', `No insured person has ${code.length === 10 ? 'social-insurance code' : 'personal ID'} ${code}.`)
  return found
}

export const insuranceService: NodeService = {
  code: 'insured',
  title: 'Insurance database (CSDL về bảo hiểm): insured people',
  register (app, context) {
    app.get('/insured/:code', {
      config,
      schema: {
        summary: 'Look up an insured person by social-insurance code or personal ID',
        params: insuredParamsSchema,
        response: { 200: insuredPersonSchema, ...errors },
      },
    }, (request) => {
      const today = vietnamToday(context.clock())
      return mustFind(context, request.params.code, today).person
    })

    app.get('/insured/:code/household', {
      config,
      schema: {
        summary: "An insured person's household: every member with codes and card",
        params: insuredParamsSchema,
        response: { 200: insuredHouseholdSchema, ...errors },
      },
    }, (request) => {
      const today = vietnamToday(context.clock())
      return insuredHousehold(context, mustFind(context, request.params.code, today), today)
    })
  },
}
