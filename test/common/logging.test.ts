// Masking of personal numbers in text the hub logs or records.
import t from 'tap'
import { loggerOptions, maskPersonalNumbers } from '../../common/logging.js'

t.test('personal IDs, insurance codes and health-card numbers are masked wherever they stand', async (t) => {
  const cases: Array<[string, string]> = [
    ['/citizens/001090012345', '/citizens/[12-digit id]'],
    ['case-001190000203', 'case-[12-digit id]'],
    ['insured 0112345678.', 'insured [10-digit id].'],
    ['card HS4010123456789', 'card [15-digit id]'],
    ['card hs4010123456789', 'card [15-digit id]'],
    ['001090012345,001090012346', '[12-digit id],[12-digit id]'],
  ]
  for (const [text, masked] of cases) t.equal(maskPersonalNumbers(text), masked, text)
})

t.test('other numbers and ids are left alone', async (t) => {
  const kept = [
    '0190a1b2-c3d4-7e5f-8a9b-123456789012', // a UUID whose last group is all digits
    'issue 0190A1B2-C3D4-7E5F-8A9B-123456789012 done',
    '0190a1b2-c3d4-7e5f-8a9b-a1234567890b', // ten digits inside a UUID's last group
    '000.00.00.G01', '12345678901', '1234567890123', '2026-11-29T10:00:00Z', '',
  ]
  for (const text of kept) t.equal(maskPersonalNumbers(text), text, text)
})

t.test('the request log line masks percent-encoded personal numbers and the X-Road-Client header', async (t) => {
  const serialize = loggerOptions('info').serializers?.req as (request: object) => { url: string, client: unknown }
  const line = serialize({ method: 'GET', url: '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/%30%30%31090012345', headers: { 'x-road-client': 'VN/GOV/000.00.00.H49/001090012345' } })
  t.equal(line.url, '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/[12-digit id]')
  t.equal(line.client, 'VN/GOV/000.00.00.H49/[12-digit id]')
  const broken = serialize({ method: 'GET', url: '/x/%E0%A4%A/%30%30%31090012345', headers: {} })
  t.equal(broken.url, '/x/%E0%A4%A/[12-digit id]', 'an invalid escape elsewhere does not stop the mask')
})
