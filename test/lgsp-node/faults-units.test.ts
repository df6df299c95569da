// Units of fault injection without a server: seeded streams, latency shapes, drift, startup config.
import t from 'tap'
import { z } from 'zod'
import { faultRuleSchema } from '../../contracts/faults.js'
import { FaultConfigError, parseFaultRules } from '../../lgsp-node/faults/config.js'
import { driftBody, responseSchemaFor } from '../../lgsp-node/faults/drift.js'
import { createLatencySampler } from '../../lgsp-node/faults/latency.js'
import { createRandom } from '../../lgsp-node/faults/prng.js'
import { requestedRuleIds } from '../../lgsp-node/faults/trigger.js'
import { citizenSchema } from './faults-host.js'

const take = (sample: () => number, n: number): number[] => Array.from({ length: n }, sample)
const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(q * (sorted.length - 1))] as number
}

t.test('prng: same seed and purpose, same stream; purposes are independent', async (t) => {
  t.same(take(createRandom(42, 'trigger'), 50), take(createRandom(42, 'trigger'), 50))
  t.notSame(take(createRandom(42, 'trigger'), 50), take(createRandom(42, 'latency'), 50))
  t.notSame(take(createRandom(42, 'trigger'), 50), take(createRandom(43, 'trigger'), 50))
  const values = take(createRandom(0, 'trigger'), 10_000)
  t.ok(values.every((v) => v >= 0 && v < 1), 'in [0, 1)')
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  t.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean.toFixed(3)} near 0.5`)
})

t.test('latency: distributions have the shape their parameters promise', async (t) => {
  const random = createRandom(3, 'latency')
  t.same(take(createLatencySampler({ type: 'fixed', ms: 25 }, random), 3), [25, 25, 25])

  const uniform = take(createLatencySampler({ type: 'uniform', minMs: 10, maxMs: 20 }, random), 5000)
  t.ok(uniform.every((v) => v >= 10 && v <= 20), 'uniform stays within [min, max]')

  const lognormal = take(createLatencySampler({ type: 'lognormal', medianMs: 100, p99Ms: 1000 }, random), 20_000)
  const median = quantile(lognormal, 0.5)
  const p99 = quantile(lognormal, 0.99)
  t.ok(median > 90 && median < 110, `log-normal median ${median} ≈ 100`)
  t.ok(p99 > 800 && p99 < 1250, `log-normal p99 ${p99} ≈ 1000`)

  const capped = take(createLatencySampler({ type: 'lognormal', medianMs: 100, p99Ms: 10_000, capMs: 500 }, random), 5000)
  t.equal(Math.max(...capped), 500, 'the tail is clamped to capMs')

  const pareto = take(createLatencySampler({ type: 'pareto', minMs: 10, alpha: 1.5 }, random), 20_000)
  t.ok(pareto.every((v) => v >= 10), 'pareto never goes below minMs')
  // P(X > 40) = (10 / 40)^1.5 = 0.125
  const over = pareto.filter((v) => v > 40).length / pareto.length
  t.ok(over > 0.11 && over < 0.14, `P(X > 4·min) = ${over.toFixed(3)} ≈ 0.125`)

  t.same(take(createLatencySampler({ type: 'pareto', minMs: 10, alpha: 1.5 }, createRandom(9, 'latency')), 20),
    take(createLatencySampler({ type: 'pareto', minMs: 10, alpha: 1.5 }, createRandom(9, 'latency')), 20), 'seeded')
})

t.test('drift: breaks the schema it is given, deterministically', async (t) => {
  const person = { personalId: '001203004567', fullName: 'Trần Thị Bình', birthDate: '1990-01-02', alive: true, address: { province: 'Hà Nội', commune: 'Xuân Đỉnh' } }
  const seen = new Set<string>()
  for (let seed = 0; seed < 40; seed++) {
    const drift = driftBody(person, createRandom(seed, 'drift'), citizenSchema)
    t.notOk(citizenSchema.safeParse(drift.body).success, `seed ${seed}: ${drift.operation} ${drift.path}`)
    seen.add(drift.operation)
    t.same(drift, driftBody(person, createRandom(seed, 'drift'), citizenSchema))
  }
  t.same([...seen].sort(), ['drop', 'rename', 'retype'], 'all three kinds of change occur')
  t.same(person.address, { province: 'Hà Nội', commune: 'Xuân Đỉnh' }, 'the original is left alone')

  // Optional fields: dropping one would go unnoticed, so drift keeps looking.
  const loose = z.object({ a: z.string().optional(), b: z.number().optional() })
  for (let seed = 0; seed < 20; seed++) t.notOk(loose.safeParse(driftBody({ a: 'x', b: 1 }, createRandom(seed, 'drift'), loose).body).success)

  const anything = z.looseObject({})
  const reshaped = driftBody({ a: 1 }, createRandom(1, 'drift'), anything)
  t.equal(reshaped.operation, 'reshape', 'a schema no field change can break gets the other container')
  t.notOk(anything.safeParse(reshaped.body).success)

  const blind = driftBody({ n: 1, s: 'x' }, createRandom(1, 'drift'))
  t.equal(blind.operation, 'retype', 'without a schema only type changes are made')
})

t.test('drift: finds the schema a route declared for a status', async (t) => {
  const schema = z.object({ a: z.string() })
  t.equal(responseSchemaFor({ response: { 200: schema } }, 200), schema)
  t.equal(responseSchemaFor({ response: { '2xx': schema } }, 201), schema)
  t.equal(responseSchemaFor({ response: { default: schema } }, 200), schema)
  t.equal(responseSchemaFor({ response: { 200: { content: { 'application/json': { schema } } } } }, 200), schema)
  t.equal(responseSchemaFor({ response: { 404: schema } }, 200), undefined)
  t.equal(responseSchemaFor(undefined, 200), undefined)
})

t.test('config: rules from JSON text given at startup', async (t) => {
  t.same(parseFaultRules(''), [], 'blank means no rules')
  const rules = parseFaultRules(JSON.stringify([{ id: 'a', fault: { kind: 'down' } }, { fault: { kind: 'hang' } }]))
  t.same(rules[0], { id: 'a', trigger: { type: 'always' }, seed: 1, fault: { kind: 'down' } }, 'defaults filled in')
  t.equal(rules.length, 2)

  const saved = { rules: [faultRuleSchema.parse({ id: 'b', trigger: { type: 'everyNth', n: 2 }, seed: 3, fault: { kind: 'reset' } })] }
  t.same(parseFaultRules(JSON.stringify(saved)), saved.rules, 'what GET /_node/faults returned reads back')

  t.throws(() => parseFaultRules('{oops', 'NDXP_FAULTS'), new FaultConfigError('NDXP_FAULTS is not valid JSON'))
  t.throws(() => parseFaultRules('[{"fault": {"kind": "error", "status": 200}}]', 'faults.json'), { name: 'FaultConfigError', message: /faults\.json .*rules\[0\]\.fault\.status/ })
  t.throws(() => parseFaultRules('{"fault": {"kind": "down"}}'), { message: /rules: .*expected array/ })
  t.throws(() => parseFaultRules('[{"id": "x", "fault": {"kind": "down"}}, {"id": "x", "fault": {"kind": "hang"}}]'), { message: /"x" twice/ })
})

t.test('onHeader ids: a comma-separated list, blanks ignored', async (t) => {
  t.same([...requestedRuleIds('a, b,,c ')], ['a', 'b', 'c'])
  t.same([...requestedRuleIds(undefined)], [])
  t.same([...requestedRuleIds(['a', 'b'])], ['a', 'b'])
})

t.test('config: invalid initial rules stop the plugin with a message naming the field', async (t) => {
  const { buildApp } = await import('./faults-host.js')
  await t.rejects(buildApp({ rules: [{ fault: { kind: 'error', status: 200 } }] }), { name: 'FaultConfigError', message: /rule\.fault\.status/ })
})
