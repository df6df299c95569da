// Rule matching: the rules a node holds, which of them match a request, and which fire.
import type { IncomingHttpHeaders } from 'node:http'
import { NdxpError } from '../../contracts/errors.js'
import { FAULT_HEADER, type FaultRule, type FaultScope, type ParsedFaultRuleInput } from '../../contracts/faults.js'
import { createLatencySampler } from './latency.js'
import { createRandom, type Random } from './prng.js'
import { createTrigger, isActive, requestedRuleIds, windowOf, type Trigger, type Window } from './trigger.js'

/** Bounds memory whatever an admin script posts. */
export const MAX_RULES = 1000

/** What a rule's scope is matched against. */
export interface RequestFacts {
  /** `config.service` of the matched route. */
  service: string | undefined
  /** `METHOD /route/:pattern`; undefined when no route matched. */
  endpoint: string | undefined
  headers: IncomingHttpHeaders
}

/** A rule with its running state: trigger counters and seeded streams. */
export interface ArmedRule {
  readonly rule: FaultRule
  readonly trigger: Trigger
  readonly window: Window
  /** Present for latency rules only. */
  readonly sampleLatency: (() => number) | undefined
  /** Drives contract-drift choices. */
  readonly random: Random
}

export interface Decision {
  /** Every fired latency rule with its sampled delay; delays add up. */
  latencies: Array<{ rule: FaultRule, ms: number }>
  /** The first fired rule (in insertion order) of any other kind: it decides how the request ends. */
  outcome: ArmedRule | undefined
}

function headerValue (headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}

export function scopeMatches (scope: FaultScope | undefined, facts: RequestFacts): boolean {
  if (scope === undefined) return true
  if (scope.service !== undefined && scope.service !== facts.service) return false
  if (scope.endpoint !== undefined && scope.endpoint !== facts.endpoint) return false
  if (scope.consumer !== undefined && headerValue(facts.headers, 'x-road-client') !== scope.consumer) return false
  if (scope.header !== undefined && headerValue(facts.headers, scope.header.name) !== scope.header.value) return false
  return true
}

function arm (rule: FaultRule): ArmedRule {
  return {
    rule,
    trigger: createTrigger(rule),
    window: windowOf(rule),
    sampleLatency: rule.fault.kind === 'latency'
      ? createLatencySampler(rule.fault.distribution, createRandom(rule.seed, 'latency'))
      : undefined,
    random: createRandom(rule.seed, 'drift'),
  }
}

export class FaultRuleSet {
  readonly #rules = new Map<string, ArmedRule>()
  #nextId = 1

  /** Adds a validated rule; its trigger state starts fresh. */
  add (input: ParsedFaultRuleInput): FaultRule {
    const id = input.id ?? this.#freshId()
    if (this.#rules.has(id)) {
      throw new NdxpError('client.conflict', `A fault rule "${id}" exists; delete it first (DELETE /_node/faults/${id}) or choose another id.`)
    }
    if (this.#rules.size >= MAX_RULES) {
      throw new NdxpError('client.bad_request', `A node holds at most ${MAX_RULES} fault rules; delete some first.`)
    }
    // A copy, so a caller keeping its object cannot change a live rule behind the node's back.
    const rule: FaultRule = structuredClone({ ...input, id })
    this.#rules.set(id, arm(rule))
    return structuredClone(rule)
  }

  /** How many rules are held; zero lets a request skip fault injection without further work. */
  get size (): number {
    return this.#rules.size
  }

  remove (id: string): boolean {
    return this.#rules.delete(id)
  }

  clear (): void {
    this.#rules.clear()
  }

  list (): FaultRule[] {
    return [...this.#rules.values()].map(({ rule }) => structuredClone(rule))
  }

  /** Runs every matching rule's trigger once; undefined when nothing fired (the common, cheap case). */
  decide (facts: RequestFacts, now: number): Decision | undefined {
    let decision: Decision | undefined
    let requested: Set<string> | undefined
    for (const armed of this.#rules.values()) {
      if (!isActive(armed.window, now) || !scopeMatches(armed.rule.scope, facts)) continue
      requested ??= requestedRuleIds(facts.headers[FAULT_HEADER])
      if (!armed.trigger.fires(requested)) continue
      decision ??= { latencies: [], outcome: undefined }
      if (armed.sampleLatency !== undefined) decision.latencies.push({ rule: armed.rule, ms: armed.sampleLatency() })
      else decision.outcome ??= armed
    }
    return decision
  }

  #freshId (): string {
    let id: string
    do id = `fault-${this.#nextId++}`
    while (this.#rules.has(id))
    return id
  }
}
