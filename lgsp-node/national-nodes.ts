// The national-database nodes of the default federation: which member runs each, on which port, and
// which services and key sources it hosts. Ports are NDXP_NODE_PORT_BASE plus the offset.
import type { KeySource, NodeContext, NodeService } from './service.js'
import { civilRecordsService, civilStatusKeySources, createBirthsService, type PersonalIdIssuer } from './services/civil-status/index.js'
import { healthCardService, insuranceKeySources, insuranceService } from './services/insurance/index.js'
import { certificatesService, landKeySources, parcelsService } from './services/land/index.js'
import { populationService } from './services/population/index.js'

export interface NodeDefinition {
  readonly id: string
  readonly memberCode: string
  readonly title: string
  readonly portOffset: number
  readonly services: readonly NodeService[]
  readonly keySources: (context: NodeContext) => readonly KeySource[]
}

/** Every node can list citizens' personal IDs: several of their look-ups are by person. */
const citizenKeys = (context: NodeContext): KeySource =>
  ({ name: 'citizens', size: context.dataset.population.size, keyAt: (index) => context.dataset.population.idAt(index) })
const withCitizenKeys = (sources: (context: NodeContext) => readonly KeySource[]) =>
  (context: NodeContext): readonly KeySource[] => [...sources(context), citizenKeys(context)]

export interface NodeWiring {
  /** How the civil-status node obtains a newborn's personal ID (through the hub, when there is one). */
  readonly personalIdIssuer?: PersonalIdIssuer
}

export function nationalNodeDefinitions (wiring: NodeWiring = {}): readonly NodeDefinition[] {
  return [
  {
    id: 'population',
    memberCode: '000.00.00.G01',
    title: 'Population database (CSDL quốc gia về dân cư) — Ministry of Public Security',
    portOffset: 0,
    services: [populationService],
    keySources: (context) => [citizenKeys(context)],
  },
  {
    id: 'insurance',
    // Vietnam Social Security's code is not confirmed by a primary source; the registry seed can change it.
    memberCode: '000.00.13.G12',
    title: 'Insurance database (CSDL về bảo hiểm) — Vietnam Social Security',
    portOffset: 1,
    services: [insuranceService, healthCardService],
    keySources: withCitizenKeys(insuranceKeySources),
  },
  {
    id: 'civil-status',
    memberCode: '000.00.00.G15',
    title: 'Civil status (hộ tịch) — Ministry of Justice',
    portOffset: 2,
    services: [civilRecordsService, createBirthsService(wiring.personalIdIssuer === undefined ? {} : { personalIdIssuer: wiring.personalIdIssuer })],
    keySources: withCitizenKeys(civilStatusKeySources),
  },
  {
    id: 'land',
    memberCode: '000.00.00.G10',
    title: 'Land database (cơ sở dữ liệu đất đai) — Ministry of Agriculture and Environment',
    portOffset: 3,
    services: [parcelsService, certificatesService],
    keySources: withCitizenKeys(landKeySources),
  },
  ]
}

export const nationalNodes = nationalNodeDefinitions()
