// The circuit breaker's bookkeeping across registry changes: outcomes of calls to a node's old
// address, still in flight when it was re-pointed or deleted, count nowhere.
import t from 'tap'
import { CircuitBreaker, type CircuitState } from '../../gateway/exchange/circuit-breaker.js'

t.test('a late failure of the old address does not open the circuit of the new one', async (t) => {
  const changes: Array<[string, CircuitState]> = []
  const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 5000, onChange: (node, state) => changes.push([node, state]) })
  for (let i = 0; i < 3; i++) t.ok(breaker.tryPass('population', 0, 'http://old:8101'))
  t.ok(breaker.tryPass('population', 0, 'http://new:8101'), 'the node was re-pointed: its calls pass')
  for (let i = 0; i < 3; i++) breaker.onFailure('population', 'http://old:8101', 10) // the old calls time out now
  t.equal(breaker.state('population'), 'closed')
  t.ok(breaker.tryPass('population', 20, 'http://new:8101'))
  for (let i = 0; i < 3; i++) breaker.onFailure('population', 'http://new:8101', 30)
  t.equal(breaker.state('population'), 'open', 'the new address\'s own failures still count')
  t.same(changes, [['population', 'open']])
})

t.test('an outcome arriving after the node left the registry brings back neither circuit nor series', async (t) => {
  const forgotten: string[] = []
  const breaker = new CircuitBreaker({ threshold: 1, onForget: (node) => forgotten.push(node) })
  t.ok(breaker.tryPass('land', 0, 'http://land:8104'))
  breaker.forgetAbsent((node) => node !== 'land')
  t.same(forgotten, ['land'])
  breaker.onFailure('land', 'http://land:8104', 1)
  breaker.onSuccess('land', 'http://land:8104')
  t.same([...breaker.states().keys()], [], 'no circuit for a node that is gone')
})
