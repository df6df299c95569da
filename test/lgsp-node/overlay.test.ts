// The write overlay's prefix listing: exactly the keys under a prefix of one kind, in order.
import t from 'tap'
import { Overlay } from '../../lgsp-node/overlay.js'

t.test('listPrefix returns the records of one kind under one prefix, and nothing when there are none', async (t) => {
  const overlay = new Overlay(':memory:')
  t.teardown(() => overlay.close())
  const at = new Date('2026-03-01T00:00:00Z')
  t.same(overlay.listPrefix('by-person', '001090012345/'), [], 'empty overlay')
  overlay.insert('by-person', '001090012345/KS-2026-99000001', 'KS-2026-99000001', at)
  overlay.insert('by-person', '001090012345/KS-2026-99000000', 'KS-2026-99000000', at)
  overlay.insert('by-person', '001090012346/KS-2026-99000002', 'KS-2026-99000002', at)
  overlay.insert('other-kind', '001090012345/KS-2026-99000003', 'KS-2026-99000003', at)
  t.same(overlay.listPrefix<string>('by-person', '001090012345/').map((row) => row.value), ['KS-2026-99000000', 'KS-2026-99000001'])
  t.same(overlay.listPrefix<string>('by-person', '001090012345/', 1).map((row) => row.value), ['KS-2026-99000000'], 'limit')
  t.same(overlay.listPrefix('by-person', '00109001234/'), [], 'a shorter prefix ending in the separator matches nothing')
  t.same(overlay.listPrefix('by-person', '001090012347/'), [])
})
