// Fault injection for an LGSP node: decides per request (onRequest), breaks answers (onSend), serves /_node/faults.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import type { ProblemPluginOptions } from '../../common/problem-plugin.js'
import { FAULT_HEADER, faultRuleInputSchema, type FaultRule, type FaultRuleInput } from '../../contracts/faults.js'
import { faultAdminRoutes } from './admin-routes.js'
import { describeIssues, FaultConfigError } from './config.js'
import { FaultCounter } from './counts.js'
import { driftBody, parseJsonPayload, responseSchemaFor } from './drift.js'
import { answerDown, answerError, canCarryBody, hang, InFlight, reset, truncatePayload } from './inject.js'
import { FaultRuleSet, type ArmedRule, type Decision, type RequestFacts } from './rules.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The node service a route belongs to (e.g. `citizens`); fault rules scope on it. */
    service?: string
    /** `false` keeps fault injection off a service's route; routes of no service are never faulted. */
    faults?: boolean
  }
}

export interface FaultPluginOptions {
  /** Bearer token guarding /_node/faults. */
  adminToken: string
  /** Rules present from the start, e.g. from parseFaultRules(); validated again here. */
  rules?: readonly FaultRuleInput[]
  /** Wall clock in epoch milliseconds for schedule windows; Date.now by default. */
  clock?: () => number
  /** The options the host gave the problem plugin, so injected errors look like its own. */
  problem?: ProblemPluginOptions
}

/** What the faults decided for one request, carried from onRequest to onSend. */
interface RequestFaults {
  /** `<ruleId>;<kind>` of every fault applied so far. */
  markers: string[]
  /** A truncate or contract-drift rule, applied to the answer once the handler has produced it. */
  deferred: ArmedRule | undefined
}

const marker = (rule: FaultRule): string => `${rule.id};${rule.fault.kind}`

function factsOf (request: FastifyRequest): RequestFacts {
  const { config, url } = request.routeOptions
  return {
    service: typeof config.service === 'string' ? config.service : undefined,
    endpoint: url === undefined ? undefined : `${request.method} ${url}`,
    headers: request.headers,
  }
}

async function faultPlugin (app: FastifyInstance, options: FaultPluginOptions): Promise<void> {
  if (typeof options.adminToken !== 'string' || options.adminToken === '') {
    throw new Error('Fault injection needs an admin token: pass adminToken (the node admin token) when registering the plugin.')
  }
  const clock = options.clock ?? Date.now
  const problem = options.problem ?? {}
  const rules = new FaultRuleSet()
  const counter = new FaultCounter()
  const inFlight = new InFlight()
  const requests = new WeakMap<FastifyRequest, RequestFaults>()
  for (const [index, input] of (options.rules ?? []).entries()) {
    const parsed = faultRuleInputSchema.safeParse(input)
    if (!parsed.success) throw new FaultConfigError(`Initial fault rule ${index} is invalid: ${describeIssues(parsed.error, 'rule')}`)
    rules.add(parsed.data)
  }

  const applied = (state: RequestFaults, rule: FaultRule): void => {
    counter.record(rule)
    state.markers.push(marker(rule))
  }

  /** Carries out a decision: latency first, then the outcome (an answer now, or one deferred to onSend). */
  const applyDecision = async (request: FastifyRequest, reply: FastifyReply, decision: Decision): Promise<unknown> => {
    const state: RequestFaults = { markers: [], deferred: undefined }
    requests.set(request, state)

    let delay = 0
    for (const { rule, ms } of decision.latencies) {
      applied(state, rule)
      delay += ms
    }
    if (delay > 0) {
      await inFlight.delay(delay, request.raw.socket)
      // The client gave up while waiting: nobody is left to answer, so skip the handler's work.
      if (request.raw.socket?.destroyed === true) return reply.hijack()
    }

    const outcome = decision.outcome
    if (outcome === undefined) return
    const { rule } = outcome
    switch (rule.fault.kind) {
      case 'error':
        applied(state, rule)
        return answerError(reply, rule.id, rule.fault.status, problem)
      case 'down':
        applied(state, rule)
        return answerDown(reply, rule.id, problem)
      // hang and reset never produce a response, so the client cannot see a marker header for them;
      // the counts are the only trace.
      case 'hang':
        applied(state, rule)
        return hang(reply, inFlight)
      case 'reset':
        applied(state, rule)
        return reset(reply)
      case 'truncate':
      case 'contract-drift':
        state.deferred = outcome
        return
      case 'latency':
        return // latency rules never become the outcome; listed so the switch stays exhaustive
    }
  }

  // Callback-style hooks that finish synchronously unless a rule applies: with no rule active (the
  // usual case) a request pays a size check and a WeakMap miss, not a promise per hook.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // Faults are the services': a route of none (health probes, node administration, /docs) is never
    // faulted, whatever a rule's scope, so a broad rule cannot take down the probes or the way to undo it.
    const config = request.routeOptions.config
    if (rules.size === 0 || request.routeOptions.url === undefined || typeof config.service !== 'string' || config.faults === false) return done()
    const decision = rules.decide(factsOf(request), clock())
    if (decision === undefined) return done()
    applyDecision(request, reply, decision).then(() => done(), done)
  })

  // After serialization, so a drifted body reaches the client unvalidated, exactly as a broken provider's would.
  const finishFaults = async (request: FastifyRequest, reply: FastifyReply, state: RequestFaults, payload: unknown): Promise<unknown> => {
    const deferred = state.deferred
    let result = payload

    if (deferred?.rule.fault.kind === 'contract-drift' && reply.statusCode >= 200 && reply.statusCode < 300 &&
      /json/i.test(String(reply.getHeader('content-type') ?? ''))) {
      const body = parseJsonPayload(payload)
      if (body !== undefined) {
        const drift = driftBody(body, deferred.random, responseSchemaFor(request.routeOptions.schema, reply.statusCode))
        request.log.info({ faultRuleId: deferred.rule.id, operation: drift.operation, path: drift.path }, 'contract drift injected')
        applied(state, deferred.rule)
        result = JSON.stringify(drift.body)
      }
    }
    // The marker goes out before truncation: the headers still reach the client whole.
    const truncate = deferred?.rule.fault.kind === 'truncate' && canCarryBody(request, reply) ? deferred.rule : undefined
    if (truncate !== undefined) applied(state, truncate)
    if (state.markers.length > 0) reply.header(FAULT_HEADER, state.markers.join(', '))
    if (truncate?.fault.kind === 'truncate') result = await truncatePayload(reply, result, truncate.fault.keepFraction ?? 0.5)
    return result
  }

  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => {
    const state = requests.get(request)
    if (state === undefined) return done(null, payload)
    finishFaults(request, reply, state, payload).then((result) => done(null, result), done)
  })

  app.addHook('preClose', async () => {
    inFlight.release()
  })

  await app.register(faultAdminRoutes, { adminToken: options.adminToken, rules, counter })
}

/**
 * Wrapped with fastify-plugin so the hooks reach the host's service routes: register it after the
 * problem plugin, in the scope of those routes or a parent of it. The admin routes live in their own
 * encapsulated context.
 */
export default fp(faultPlugin, { name: 'ndxp-faults', fastify: '5.x', dependencies: ['ndxp-problem'] })
