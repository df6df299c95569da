// The insurance node's services (`insured`, `health-cards`) and the keys it can enumerate for load tests.
import { insuranceCodes } from '../../data/insurance.js'
import { vietnamToday } from '../../../contracts/vietnam-time.js'
import type { KeySource, NodeContext } from '../../service.js'
import { generatedInsured } from './records.js'

export { insuranceService } from './insured-service.js'
export { healthCardService } from './health-card-service.js'

/** Social-insurance codes and today's card numbers of the generated population, by citizen index. */
export function insuranceKeySources (context: NodeContext): KeySource[] {
  const size = context.dataset.population.size
  return [
    { name: 'insured', size, keyAt: (index) => insuranceCodes(context.dataset).codeAt(index) },
    { name: 'health-cards', size, keyAt: (index) => generatedInsured(context, index, vietnamToday(context.clock())).person.card.cardNumber },
  ]
}
