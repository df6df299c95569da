// The land services `parcels` and `certificates` over real HTTP: each route, round trips between
// parcel, certificate and holder, the two province views, hostile keys, unknown keys, enumeration.
import t from 'tap'
import { request } from 'undici'
import { certificateSchema, parcelSchema, parcelsByHolderSchema, type Parcel } from '../../contracts/land.js'
import { citizenSchema } from '../../contracts/population.js'
import { provinceIndexByCode } from '../../contracts/provinces.js'
import { communeStart } from '../../lgsp-node/data/communes.js'
import { hashInts, Rng } from '../../lgsp-node/data/hash.js'
import { landIndex } from '../../lgsp-node/data/land-index.js'
import { parcelFacts } from '../../lgsp-node/data/land-parcels.js'
import { certificatesService, parcelsService } from '../../lgsp-node/services/land/index.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import type { NodeContext, ZodApp } from '../../lgsp-node/service.js'
import { startNode, testDataset } from '../helpers/node-app.js'

const land = landIndex(testDataset)
const services = [parcelsService, certificatesService]

async function getJson (url: string): Promise<{ status: number, body: unknown, contentType: string }> {
  const response = await request(url)
  return { status: response.statusCode, body: await response.body.json(), contentType: String(response.headers['content-type']) }
}

function keyPath (parcel: Pick<Parcel, 'communeCode' | 'sheet' | 'parcel'>): string {
  return `${parcel.communeCode}/${parcel.sheet}/${parcel.parcel}`
}

/** First parcel index from `start` whose facts satisfy `wanted`. */
function findIndex (start: number, wanted: (facts: ReturnType<typeof parcelFacts>) => boolean): number {
  for (let index = start; ; index++) if (wanted(parcelFacts(testDataset, land, index))) return index
}

t.test('every route answers, carries its service code, and the three agree on one parcel', async (t) => {
  const routes: Array<[string, string | undefined]> = []
  // A stand-in app that only records what each service registers.
  const recorder = { get: (path: string, options: { config?: { service?: string } }) => { routes.push([path, options.config?.service]) } }
  for (const service of services) service.register(recorder as unknown as ZodApp, { dataset: testDataset } as NodeContext)
  t.same(routes.sort(), [
    ['/certificates/:serial', 'certificates'], ['/parcels/:communeCode/:sheet/:parcel', 'parcels'], ['/parcels/by-holder/:personalId', 'parcels'],
  ])

  const { url } = await startNode(t, [...services, populationService])
  const index = findIndex(1_234_567, (facts) => facts.holder.kind === 'individual' && facts.certificate !== undefined)
  const key = land.keyAt(index)
  const parcelRes = await getJson(`${url}/parcels/${String(1 + key.communeIndex * 3).padStart(5, '0')}/${key.sheet}/${key.parcel}`)
  t.equal(parcelRes.status, 200)
  const parcel = parcelSchema.parse(parcelRes.body)
  t.equal(parcel.sheet, key.sheet)
  t.equal(parcel.parcel, key.parcel)
  t.equal(parcel.address.communeCode, parcel.communeCode)
  if (parcel.holder.kind !== 'individual' || parcel.certificate === undefined) throw new Error('expected a certified parcel held by a citizen')

  const certificate = certificateSchema.parse((await getJson(`${url}/certificates/${parcel.certificate.serial}`)).body)
  const { holder: _holder, certificate: _certificate, ...fields } = parcel
  t.same(certificate.parcel, fields, 'the certificate shows the same parcel')
  t.same(certificate.holder, parcel.holder)
  t.equal(certificate.registryNumber, parcel.certificate.registryNumber)

  const holding = parcelsByHolderSchema.parse((await getJson(`${url}/parcels/by-holder/${parcel.holder.personalId}`)).body)
  t.equal(holding.fullName, parcel.holder.fullName)
  t.ok(holding.parcels.some((p) => keyPath(p) === keyPath(parcel)), 'the holder\'s list includes the parcel')
  const citizen = citizenSchema.parse((await getJson(`${url}/citizens/${parcel.holder.personalId}`)).body)
  t.equal(citizen.fullName, parcel.holder.fullName, 'the population database knows the holder by the same name')
  t.equal(citizen.dateOfBirth, parcel.holder.dateOfBirth)
})

t.test('HTTP sample: parcel → certificate → holder → parcel round trips on 150 random parcels', async (t) => {
  const { url } = await startNode(t, [...services, populationService])
  const rng = new Rng(hashInts(43, 1))
  let failures = 0
  let certified = 0
  let held = 0
  for (let i = 0; i < 150; i++) {
    const key = land.keyAt(rng.below(land.size))
    const path = `${String(1 + key.communeIndex * 3).padStart(5, '0')}/${key.sheet}/${key.parcel}`
    const parcel = parcelSchema.parse((await getJson(`${url}/parcels/${path}`)).body)
    let ok = keyPath(parcel) === path
    if (parcel.certificate !== undefined) {
      certified++
      const certificate = certificateSchema.parse((await getJson(`${url}/certificates/${parcel.certificate.serial}`)).body)
      ok &&= keyPath(certificate.parcel) === path && JSON.stringify(certificate.holder) === JSON.stringify(parcel.holder)
    }
    if (parcel.holder.kind === 'individual') {
      held++
      const holding = parcelsByHolderSchema.parse((await getJson(`${url}/parcels/by-holder/${parcel.holder.personalId}`)).body)
      const citizen = citizenSchema.parse((await getJson(`${url}/citizens/${parcel.holder.personalId}`)).body)
      ok &&= holding.parcels.some((p) => keyPath(p) === path) && citizen.fullName === parcel.holder.fullName
    }
    if (!ok && failures++ < 5) t.fail(`parcel ${path}`)
  }
  t.equal(failures, 0, 'every round trip closes')
  t.ok(certified > 75 && held > 75, `sample covers certificates (${certified}) and citizen holders (${held})`)
})

t.test('by-holder: an empty list for a minor, every holding for an adult, 404 for an ID of nobody', async (t) => {
  const { url } = await startNode(t, services)
  let minorIndex = 0
  while (testDataset.citizenAt(minorIndex).birthYear < 2015) minorIndex += 997
  const minor = testDataset.citizenAt(minorIndex)
  const none = await getJson(`${url}/parcels/by-holder/${minor.personalId}`)
  t.equal(none.status, 200)
  t.same(none.body, { personalId: minor.personalId, fullName: minor.fullName, parcels: [] })

  const rng = new Rng(hashInts(43, 2))
  let adultIndex = rng.below(testDataset.size)
  while (land.slotParcels(adultIndex).length < 2 || testDataset.citizenAt(adultIndex).birthYear > 1990) adultIndex = rng.below(testDataset.size)
  const adult = parcelsByHolderSchema.parse((await getJson(`${url}/parcels/by-holder/${testDataset.population.idAt(adultIndex)}`)).body)
  t.equal(adult.parcels.length, land.slotParcels(adultIndex).length)
  for (const parcel of adult.parcels) {
    t.same((await getJson(`${url}/parcels/${keyPath(parcel)}`)).body, parcel, `${keyPath(parcel)} reads the same on its own`)
  }

  let nobody = ''
  for (let serial = 0; nobody === ''; serial++) {
    const candidate = `001090${String(serial).padStart(6, '0')}`
    if (testDataset.population.indexOf(candidate) < 0) nobody = candidate
  }
  const unknown = await getJson(`${url}/parcels/by-holder/${nobody}`)
  t.equal(unknown.status, 404)
  t.match(unknown.body, { type: 'client.not_found' })
})

t.test('63- and 34-province views: merged provinces renamed, districts dropped, nothing else changes', async (t) => {
  const { url } = await startNode(t, services)
  // Yên Bái (015) merged into Lào Cai (010) on 1 July 2025.
  const yenBai = communeStart[provinceIndexByCode[15] as number] as number
  const index = findIndex(land.indexOf({ communeIndex: yenBai, sheet: 1, parcel: 1 }), (facts) => facts.certificate !== undefined)
  const path = keyPath({ communeCode: String(1 + land.keyAt(index).communeIndex * 3).padStart(5, '0'), ...land.keyAt(index) })
  const old = parcelSchema.parse((await getJson(`${url}/parcels/${path}?view=63`)).body)
  const merged = parcelSchema.parse((await getJson(`${url}/parcels/${path}?view=34`)).body)
  const plain = parcelSchema.parse((await getJson(`${url}/parcels/${path}`)).body)
  t.same(plain, old, '63 is the default')
  t.equal(old.address.provinceCode, '015')
  t.equal(old.address.province, 'Tỉnh Yên Bái')
  t.ok(old.address.district)
  t.equal(merged.address.provinceCode, '010')
  t.equal(merged.address.province, 'Tỉnh Lào Cai')
  t.equal(merged.address.district, undefined)
  t.same({ ...merged, address: undefined }, { ...old, address: undefined }, 'only the address differs')
  t.equal(merged.address.line, old.address.line)
  const serial = old.certificate?.serial ?? ''
  const certificate = certificateSchema.parse((await getJson(`${url}/certificates/${serial}?view=34`)).body)
  t.equal(certificate.parcel.address.provinceCode, '010')
  for (const bad of [`/parcels/${path}?view=99`, `/certificates/${serial}?view=63&x=1`]) {
    const response = await getJson(`${url}${bad}`)
    t.equal(response.status, 400, bad)
    t.match(response.body, { type: 'client.bad_request' })
  }
})

t.test('OpenAPI documents the land routes and their schemas', async (t) => {
  const { url } = await startNode(t, services)
  const document = (await getJson(`${url}/docs/json`)).body as { paths: Record<string, unknown>, components: { schemas: Record<string, unknown> } }
  for (const path of ['/parcels/{communeCode}/{sheet}/{parcel}', '/parcels/by-holder/{personalId}', '/certificates/{serial}']) t.ok(document.paths[path], path)
  for (const id of ['Parcel', 'LandCertificate', 'ParcelHolder', 'ParcelsByHolder', 'CertificateSummary', 'LandUse']) t.ok(document.components.schemas[id], id)
})
