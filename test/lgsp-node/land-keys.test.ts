// The land services against hostile and unknown keys over real HTTP, and key enumeration: malformed
// keys get 400 problems saying what is wrong, well-formed keys of nothing get 404.
import t from 'tap'
import { request } from 'undici'
import { landIndex } from '../../lgsp-node/data/land-index.js'
import { parcelFacts } from '../../lgsp-node/data/land-parcels.js'
import { certificatesService, landKeySources, parcelsService } from '../../lgsp-node/services/land/index.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const land = landIndex(testDataset)
const services = [parcelsService, certificatesService]

async function problem (url: string): Promise<{ status: number, type?: string, detail?: string, text: string, contentType: string }> {
  const response = await request(url)
  const text = await response.body.text()
  let parsed: { type?: string, detail?: string } = {}
  try { parsed = JSON.parse(text) as typeof parsed } catch { /* not JSON: the test says so */ }
  return { status: response.statusCode, ...parsed, text, contentType: String(response.headers['content-type']) }
}

t.test('malformed parcel keys, holder IDs and serials: 400 problems that say what is wrong', async (t) => {
  const { url } = await startNode(t, services)
  const cases: Array<[string, RegExp]> = [
    ['/parcels/00004/0/1', /params\.sheet: map sheet number must be a whole number from 1 to 9999/],
    ['/parcels/00004/-3/1', /params\.sheet: map sheet number/],
    ['/parcels/00004/01/1', /without leading zeros/],
    ['/parcels/00004/1/007', /params\.parcel: parcel number must be a whole number from 1 to 99999 without leading zeros/],
    ['/parcels/00004/1/0', /params\.parcel/],
    ['/parcels/00004/abc/1', /params\.sheet/],
    ['/parcels/00004/1/1e3', /params\.parcel/],
    ['/parcels/00004/1/1.0', /params\.parcel/],
    ['/parcels/00004/10000/1', /map sheet number must be at most 9999/],
    ['/parcels/00004/99999999999999999999/1', /params\.sheet/],
    ['/parcels/00004/1/100000', /parcel number must be at most 99999/],
    ['/parcels/0004/1/1', /params\.communeCode: commune code must be 5 digits/],
    ['/parcels/000004/1/1', /commune code must be 5 digits/],
    ['/parcels/0000a/1/1', /commune code must be 5 digits/],
    [`/parcels/${encodeURIComponent('０００04')}/1/1`, /commune code must be 5 digits/],
    [`/parcels/${encodeURIComponent('٠٠٠٠٤')}/1/1`, /commune code must be 5 digits/],
    [`/parcels/00004/${encodeURIComponent('１')}/1`, /params\.sheet/],
    [`/parcels/00004/1/${encodeURIComponent("1' OR '1'='1")}`, /params\.parcel/],
    [`/parcels/${encodeURIComponent('00004; DROP TABLE parcels')}/1/1`, /commune code/],
    ['/parcels/00004/%20/1', /params\.sheet/],
    ['/parcels/00004/1/1%00', /params\.parcel/],
    ['/parcels/by-holder/12345', /12 digits/],
    ['/parcels/by-holder/00109001234x', /not a digit/],
    ['/parcels/by-holder/%27%20OR%201%3D1', /12 digits/],
    ['/parcels/by-holder/099090012345', /not a province code/],
    ['/certificates/cs123456', /params\.serial: certificate serial must be two capital letters and six digits/],
    ['/certificates/CS12345', /certificate serial/],
    ['/certificates/CS1234567', /certificate serial/],
    ['/certificates/C5123456', /certificate serial/],
    [`/certificates/${encodeURIComponent('ĐS123456')}`, /certificate serial/],
    [`/certificates/${encodeURIComponent('CS12345６')}`, /certificate serial/],
  ]
  for (const [path, message] of cases) {
    const response = await problem(`${url}${path}`)
    t.equal(response.status, 400, path)
    t.match(response.contentType, /application\/problem\+json/, path)
    t.equal(response.type, 'client.invalid_identifier', path)
    t.match(response.detail, message, path)
  }
  // Undecodable percent escapes and absurdly long segments never reach the route: the router rejects them.
  for (const path of ['/parcels/%ZZ/1/1', '/parcels/00004/1/%E0%A4%A', '/certificates/%C0%AF', `/parcels/00004/1/${'9'.repeat(5000)}`]) {
    const response = await problem(`${url}${path}`)
    t.equal(response.status, 400, path)
    t.match(response.contentType, /application\/problem\+json/, path)
    t.match(response.detail, /percent-encoding|longer than/, path)
  }
})

t.test('well-formed keys of nothing: 404 problems naming the missing part', async (t) => {
  const { url } = await startNode(t, services)
  const sheets = land.sheetCount(1)
  const cases: Array<[string, RegExp]> = [
    ['/parcels/00002/1/1', /No commune has code 00002/],
    ['/parcels/99998/1/1', /No commune has code 99998/],
    [`/parcels/00004/${sheets + 1}/1`, new RegExp(`map sheets 1–${sheets}; there is no sheet ${sheets + 1}`)],
    [`/parcels/00004/1/${land.parcelCount(1, 1) + 1}`, new RegExp(`has parcels 1–${land.parcelCount(1, 1)}`)],
    ['/parcels/00004/9999/99999', /there is no sheet 9999/],
    ['/certificates/ZZ999999', /No certificate has serial ZZ999999/],
  ]
  let beyond = ''
  for (let number = 0; beyond === ''; number++) {
    const serial = `AA${String(number).padStart(6, '0')}`
    if (land.parcelOfSerial(serial) < 0) beyond = serial
  }
  cases.push([`/certificates/${beyond}`, /No certificate/])
  let uncertified = 0
  while (parcelFacts(testDataset, land, uncertified).certificate !== undefined) uncertified++
  cases.push([`/certificates/${land.serialOf(uncertified)}`, /No certificate/])
  for (const [path, message] of cases) {
    const response = await problem(`${url}${path}`)
    t.equal(response.status, 404, path)
    t.equal(response.type, 'client.not_found', path)
    t.match(response.detail, message, path)
  }
})

t.test('/_node/keys enumerates parcels and certificates that exist', async (t) => {
  const { url } = await startNode(t, services, { keySources: landKeySources })
  const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
  for (const [source, prefix] of [['parcels', '/parcels/'], ['certificates', '/certificates/']] as const) {
    for (const offset of [0, Math.floor(land.size / 2), land.size - 20]) {
      const response = await request(`${url}/_node/keys/${source}?offset=${offset}&count=20`, { headers })
      const page = await response.body.json() as { size: number, keys: string[] }
      t.equal(page.size, land.size, source)
      t.equal(page.keys.length, 20)
      const statuses = await Promise.all(page.keys.map(async (key) => {
        const lookup = await request(`${url}${prefix}${key}`)
        await lookup.body.dump()
        return lookup.statusCode
      }))
      t.same([...new Set(statuses)], [200], `${source} from ${offset} all exist`)
    }
  }
})
