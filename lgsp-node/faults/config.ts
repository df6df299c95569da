// Parses fault rules given at startup as JSON text; the caller reads the file or environment variable.
import { z } from 'zod'
import { faultRuleInputSchema, type ParsedFaultRuleInput } from '../../contracts/faults.js'
import { MAX_RULES } from './rules.js'

export class FaultConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'FaultConfigError'
  }
}

const rulesSchema = z.array(faultRuleInputSchema).max(MAX_RULES)

/** `rules[2].fault.status: Too big…; …` — where each problem is, in the shape the text was written. */
export function describeIssues (error: z.ZodError, root = 'rules'): string {
  return error.issues
    .map((issue) => `${root}${issue.path.map((p) => typeof p === 'number' ? `[${p}]` : `.${String(p)}`).join('')}: ${issue.message}`)
    .join('; ')
}

/**
 * Accepts an array of rules, or `{ "rules": [...] }` — what GET /_node/faults returns, so a node's
 * rules can be saved and replayed. Blank text means no rules. `source` names the origin (a path or a
 * setting name) in error messages.
 */
export function parseFaultRules (text: string, source = 'fault rules'): ParsedFaultRuleInput[] {
  if (text.trim() === '') return []
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new FaultConfigError(`${source} is not valid JSON (${(error as Error).message}); give an array of fault rules.`)
  }
  const list = typeof json === 'object' && json !== null && !Array.isArray(json) && 'rules' in json ? json.rules : json
  const parsed = rulesSchema.safeParse(list)
  if (!parsed.success) {
    throw new FaultConfigError(`${source} has invalid fault rules: ${describeIssues(parsed.error)}`)
  }
  const seen = new Set<string>()
  for (const rule of parsed.data) {
    if (rule.id === undefined) continue
    if (seen.has(rule.id)) throw new FaultConfigError(`${source} defines fault rule "${rule.id}" twice; ids must be unique.`)
    seen.add(rule.id)
  }
  return parsed.data
}
