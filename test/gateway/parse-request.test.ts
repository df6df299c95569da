// The X-Road call path and X-Road-Client header as the exchange path reads them, first time and
// again from the parsed cache: the same answers, the same refusals, whatever came before.
import t from 'tap'
import { NdxpError } from '../../contracts/errors.js'
import { parseClientHeader, parseServiceCall } from '../../gateway/exchange/parse-request.js'

const refusal = (parse: () => unknown): string => {
  try {
    parse()
  } catch (error) {
    return error instanceof NdxpError ? `${error.code}: ${error.message}` : `not an NdxpError: ${String(error)}`
  }
  return 'accepted'
}

t.test('a call read twice: the identifier parts shared, the path and query its own', async (t) => {
  const first = parseServiceCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/001203004567?fields=name')
  const again = parseServiceCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens')
  t.same(first, { serviceId: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens', instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens', restPath: '/001203004567', query: '?fields=name' })
  t.same(again, { ...first, restPath: '', query: '' })
  t.same(parseServiceCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/'), { ...first, restPath: '/', query: '' }, 'a trailing slash is a path')
  t.same(parseServiceCall('http://hub.example/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/x'), { ...first, restPath: '/x', query: '' }, 'absolute form')
  t.same(parseServiceCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citi%7Aens'), { ...first, restPath: '', query: '' }, 'percent-encoded parts decode to the same service')
})

t.test('refusals are never cached: the same bad input is refused each time, and good input after it is read', async (t) => {
  const bad = [
    '/r1/VN/GOV/000.00.00.G01/CSDLQGDC',
    '/r1/VN/GOV//CSDLQGDC/citizens',
    '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citi zens',
    '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/%E0%A4%A',
    `/r1/VN/GOV/000.00.00.G01/CSDLQGDC/${'x'.repeat(300)}`,
  ]
  for (const path of bad) {
    const first = refusal(() => parseServiceCall(path))
    t.match(first, /^client\.bad_request: /, path.slice(0, 60))
    t.equal(refusal(() => parseServiceCall(path)), first, 'the same refusal the second time')
  }
  t.equal(refusal(() => parseServiceCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens')), 'accepted')

  for (const header of ['', 'VN/GOV/000.00.00.H49', 'VN/GOV/000.00.00.H49/DVC TINH', 'VN/GOV/000.00.00.H49/DVCTINH/extra', '\u0000/\u0000/\u0000/\u0000']) {
    const first = refusal(() => parseClientHeader(header))
    t.match(first, /^client\.bad_request: /, JSON.stringify(header))
    t.equal(refusal(() => parseClientHeader(header)), first, 'the same refusal the second time')
  }
  t.match(refusal(() => parseClientHeader(['VN/GOV/000.00.00.H49/DVCTINH', 'VN/GOV/000.00.00.H49/DVCTINH'])), /exactly one/)
})

t.test('more distinct clients and services than the cache holds: each still read right, the first ones again too', async (t) => {
  const clients = Array.from({ length: 10_000 }, (_, i) => `VN/GOV/000.00.${String(i).padStart(5, '0')}/SUB${i}`)
  for (const header of clients) parseClientHeader(header)
  const wrong = clients.filter((header, i) => {
    const client = parseClientHeader(header)
    return client.id !== header || client.memberCode !== `000.00.${String(i).padStart(5, '0')}` || client.subsystemCode !== `SUB${i}`
  })
  t.same(wrong, [], 'every client header read again to its own parts')
  const services = Array.from({ length: 10_000 }, (_, i) => `/r1/VN/GOV/000.00.00.G01/CSDLQGDC/s${i}/p${i}`)
  const misread = services.filter((path, i) => {
    const call = parseServiceCall(path)
    return call.serviceCode !== `s${i}` || call.restPath !== `/p${i}` || call.serviceId !== `VN/GOV/000.00.00.G01/CSDLQGDC/s${i}`
  })
  t.same(misread, [], 'every call read to its own service and path')
})

t.test('identifiers of the longest allowed length are read right every time (too long to be cached)', async (t) => {
  const longest = 'S'.repeat(255)
  for (let i = 0; i < 3; i++) {
    t.equal(parseServiceCall(`/r1/VN/GOV/000.00.00.G01/CSDLQGDC/${longest}/p${i}`).restPath, `/p${i}`)
    t.equal(parseServiceCall(`/r1/VN/GOV/000.00.00.G01/CSDLQGDC/${longest}/p${i}`).serviceCode, longest)
    t.equal(parseClientHeader(`VN/GOV/000.00.00.H49/${longest}`).subsystemCode, longest)
  }
  t.match(refusal(() => parseServiceCall(`/r1/VN/GOV/000.00.00.G01/CSDLQGDC/${longest}S`)), /^client\.bad_request: the service code/)
})
