// When a rule fires: its schedule window and its trigger (always, seeded probability, every nth, on header).
import type { FaultRule } from '../../contracts/faults.js'
import { createRandom } from './prng.js'

export interface Trigger {
  /**
   * Called once per request that matches the rule's scope inside its window; advances the rule's
   * own state (counter, random stream) whatever other rules decide, so a rule's decisions depend only
   * on the sequence of its own matching requests.
   */
  fires: (requestedRuleIds: ReadonlySet<string>) => boolean
}

export function createTrigger (rule: FaultRule): Trigger {
  const trigger = rule.trigger
  switch (trigger.type) {
    case 'always':
      return { fires: () => true }
    case 'probability': {
      const random = createRandom(rule.seed, 'trigger')
      // Draw even when p is 0 or 1, so changing p on an otherwise identical rule keeps the stream aligned.
      return { fires: () => random() < trigger.p }
    }
    case 'everyNth': {
      let seen = 0
      return {
        fires: () => {
          seen = (seen % trigger.n) + 1
          return seen === trigger.n
        },
      }
    }
    case 'onHeader':
      return { fires: (requested) => requested.has(rule.id) }
  }
}

export interface Window { from: number, until: number }

export function windowOf (rule: FaultRule): Window {
  return {
    from: rule.activeFrom === undefined ? -Infinity : Date.parse(rule.activeFrom),
    until: rule.activeUntil === undefined ? Infinity : Date.parse(rule.activeUntil),
  }
}

/** `from` inclusive, `until` exclusive, so back-to-back windows never overlap. */
export function isActive (window: Window, now: number): boolean {
  return now >= window.from && now < window.until
}

/** The rule ids a request names in X-Ndxp-Fault (a list: `a, b`). */
export function requestedRuleIds (header: string | string[] | undefined): Set<string> {
  const raw = Array.isArray(header) ? header.join(',') : header ?? ''
  return new Set(raw.split(',').map((id) => id.trim()).filter((id) => id !== ''))
}
