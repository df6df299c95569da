// Endpoint path patterns (`/citizens/{personalId}`, `/parcels/*`) compiled once into segment lists,
// so matching a request path costs a split and a short loop — no regular expressions per request.

const WILDCARD = ''

export interface CompiledPattern {
  readonly method: string
  readonly pattern: string
  /** Literal segments, or '' where any one non-empty segment matches. */
  readonly segments: readonly string[]
}

export function compilePattern (method: string, pattern: string): CompiledPattern {
  const segments = pattern === '/' ? [] : pattern.slice(1).split('/').map((s) => s === '*' || (s.startsWith('{') && s.endsWith('}')) ? WILDCARD : s)
  return { method, pattern, segments }
}

/** Splits a request path into segments; undefined for paths that could smuggle traversal. */
export function splitPath (path: string): string[] | undefined {
  if (path === '/' || path === '') return []
  const segments = path.slice(1).split('/')
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return undefined
  }
  return segments
}

export function matches (compiled: CompiledPattern, method: string, segments: readonly string[]): boolean {
  if (compiled.method !== '*' && compiled.method !== method && !(compiled.method === 'GET' && method === 'HEAD')) return false
  if (compiled.segments.length !== segments.length) return false
  for (let i = 0; i < segments.length; i++) {
    const expected = compiled.segments[i] as string
    if (expected !== WILDCARD && expected !== segments[i]) return false
  }
  return true
}

export function firstMatch (patterns: readonly CompiledPattern[], method: string, segments: readonly string[]): CompiledPattern | undefined {
  for (const compiled of patterns) if (matches(compiled, method, segments)) return compiled
  return undefined
}
