// The real flow: a province registers a birth with the Ministry of Justice through the hub, and the
// civil-status node obtains the newborn's personal ID from population through the hub too — one call,
// two linked transactions in the hub's log.
import t from 'tap'
import { request } from 'undici'
import { communeAt, communeStart } from '../../lgsp-node/data/communes.js'
import { citizenAt, type CitizenCore } from '../../lgsp-node/data/citizens.js'
import { hubPersonalIdIssuer } from '../../lgsp-node/hub-issuer.js'
import { civilRecordsService, createBirthsService } from '../../lgsp-node/services/civil-status/index.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { DEFAULT_DEV_SECRET } from '../../registry/seed.js'
import { deriveDevApiKey } from '../../registry/keys.js'
import { startHub } from '../helpers/hub.js'
import { startNode, testDataset } from '../helpers/node-app.js'

function citizenWhere (from: number, wanted: (core: CitizenCore) => boolean): CitizenCore {
  for (let index = from; ; index += 7919) {
    const core = citizenAt(testDataset.population, index)
    if (wanted(core)) return core
  }
}

t.test('POST /births through the hub obtains the personal ID through the hub', async (t) => {
  const population = await startNode(t, [populationService])
  // The hub's URL is known only once it listens; the issuer reads it then.
  let hubUrl = ''
  const issuer = hubPersonalIdIssuer({
    get hubUrl () { return hubUrl },
    apiKey: deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.G15'),
    client: 'VN/GOV/000.00.00.G15/HOTICH',
    service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens',
    timeoutMs: 10_000,
  })
  const civil = await startNode(t, [civilRecordsService, createBirthsService({ personalIdIssuer: (birth, link) => issuer(birth, link) })], { memberCode: '000.00.00.G15' })
  const hub = await startHub(t, { population: population.url, 'civil-status': civil.url })
  hubUrl = hub.url
  const mother = citizenWhere(2_000_000, (c) => c.gender === 'female' && c.birthYear >= 1988 && c.birthYear <= 2000 && c.dateOfDeath === undefined)
  const hanoi = 0
  const commune = communeAt((communeStart[hanoi] as number) + 5, testDataset.seed)
  const dateOfBirth = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10)
  const response = await request(`${hub.url}/r1/VN/GOV/000.00.00.G15/HOTICH/births`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.keys.get('000.00.00.H49')}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH', 'x-road-id': 'birth-case-1', 'content-type': 'application/json' },
    body: JSON.stringify({ fullName: 'Nguyễn Minh An', gender: 'male', dateOfBirth, placeOfBirth: { provinceCode: '001', communeCode: commune.code }, motherId: mother.personalId, declarant: { fullName: mother.fullName, relationship: 'mother', personalId: mother.personalId } }),
  })
  const record = await response.body.json() as { child: { personalId?: string }, registrationNumber: string }
  t.equal(response.statusCode, 201, JSON.stringify(record))
  t.match(record.child.personalId, /^001[23]\d{8}$/, 'the newborn has a personal ID of its birth province and century')
  const citizen = await request(`${population.url}/citizens/${record.child.personalId as string}`)
  t.match(await citizen.body.json(), { source: 'registered', motherId: mother.personalId })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(hub.records.length, 2, 'two exchanges: the birth, and the personal ID it needed')
  const [inner, outer] = hub.records
  t.match(inner, { clientMemberCode: '000.00.00.G15', clientSubsystemCode: 'HOTICH', serviceCode: 'citizens', restPath: '/citizens/newborns', outcome: 'success', issue: 'birth-case-1' })
  t.match(outer, { clientMemberCode: '000.00.00.H49', serviceCode: 'births', restPath: '/births', outcome: 'success', messageId: 'birth-case-1' })
})
