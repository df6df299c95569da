// The national-database nodes of the default federation: which member runs each, on which port, and
// which services and key sources it hosts. Ports are NDXP_NODE_PORT_BASE plus the offset.
import type { KeySource, NodeContext, NodeService } from './service.js'
import { healthCardService, insuranceKeySources, insuranceService } from './services/insurance/index.js'
import { populationService } from './services/population/index.js'

export interface NodeDefinition {
  readonly id: string
  readonly memberCode: string
  readonly title: string
  readonly portOffset: number
  readonly services: readonly NodeService[]
  readonly keySources: (context: NodeContext) => readonly KeySource[]
}

const populationKeySources = (context: NodeContext): KeySource[] => [
  { name: 'citizens', size: context.dataset.population.size, keyAt: (index) => context.dataset.population.idAt(index) },
]

export const nationalNodes: readonly NodeDefinition[] = [
  {
    id: 'population',
    memberCode: '000.00.00.G01',
    title: 'Population database (CSDL quốc gia về dân cư) — Ministry of Public Security',
    portOffset: 0,
    services: [populationService],
    keySources: populationKeySources,
  },
  {
    id: 'insurance',
    // Vietnam Social Security's code is not confirmed by a primary source; the registry seed can change it.
    memberCode: '000.00.13.G12',
    title: 'Insurance database (CSDL về bảo hiểm) — Vietnam Social Security',
    portOffset: 1,
    services: [insuranceService, healthCardService],
    keySources: insuranceKeySources,
  },
]

export function nodeDefinition (id: string): NodeDefinition | undefined {
  return nationalNodes.find((node) => node.id === id)
}
