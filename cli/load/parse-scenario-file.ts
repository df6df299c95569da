// Reads a scenario file as YAML 1.2 (which covers JSON) with line numbers kept, so every refusal names
// file:line:col and the field: `scenario.yaml:12:7 requests[2].weight: must be a positive number`.
// Hostile input is bounded before the parser sees it: size, nesting, alias expansion, tags.
import { open } from 'node:fs/promises'
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml'
import type { z } from 'zod'
import { allowedFields, scenarioFileSchema, type ScenarioFile } from './scenario-file.js'

export const MAX_SCENARIO_BYTES = 512 * 1024
const MAX_DEPTH = 32
/** Flow brackets or indentation beyond these mean nesting no scenario needs; the parser would recurse on it. */
const MAX_FLOW_DEPTH = 64
const MAX_INDENT = 200
const MAX_ALIASES = 100
const MAX_PROBLEMS = 20

export class ScenarioFileError extends Error {
  constructor (readonly file: string, readonly problems: readonly string[]) {
    super(`scenario ${file} is not valid:\n  ${problems.join('\n  ')}`)
    this.name = 'ScenarioFileError'
  }
}

export interface ParsedScenario {
  /** The document as plain data (structured-clone safe): what workers receive and validate again. */
  readonly content: unknown
  readonly scenario: ScenarioFile
}

/** Reads at most MAX_SCENARIO_BYTES + 1 bytes, so /dev/zero or a huge file is refused without being loaded. */
export async function readScenarioFile (file: string): Promise<ParsedScenario> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    throw new ScenarioFileError(file, [`cannot open it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path`])
  }
  try {
    if (!(await handle.stat()).isFile()) throw new ScenarioFileError(file, ['is not a regular file'])
    const buffer = Buffer.alloc(MAX_SCENARIO_BYTES + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > MAX_SCENARIO_BYTES) throw new ScenarioFileError(file, [`is larger than ${MAX_SCENARIO_BYTES / 1024} KiB; a scenario describes requests, it does not carry data`])
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length))
    } catch {
      throw new ScenarioFileError(file, ['is not valid UTF-8 text: save it as UTF-8'])
    }
    return parseScenarioText(text, file)
  } finally {
    await handle.close()
  }
}

/** Parses and validates; throws ScenarioFileError listing every problem with its position. */
export function parseScenarioText (text: string, file: string): ParsedScenario {
  if (text.length > MAX_SCENARIO_BYTES) throw new ScenarioFileError(file, [`is larger than ${MAX_SCENARIO_BYTES / 1024} KiB`])
  const lines = new LineCounter()
  const where = (offset: number): string => {
    const { line, col } = lines.linePos(offset)
    return `${file}:${line}:${col}`
  }
  const tooDeep = nestingProblem(text)
  if (tooDeep !== undefined) {
    // The line counter is filled by the parser, which must not run: count lines by hand here.
    const before = text.slice(0, tooDeep.offset).split('\n')
    throw new ScenarioFileError(file, [`${file}:${before.length}:${(before.at(-1) ?? '').length + 1} ${tooDeep.message}`])
  }
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' })
  } catch (error) {
    if (error instanceof RangeError) throw new ScenarioFileError(file, ['is nested too deeply to read'])
    throw error
  }
  const yamlProblems = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')].map((e) => `${where(e.pos[0])} ${e.message}`)
  // Tags (!!binary, !!set, custom ones) build values no scenario field takes; plain data only.
  visit(doc, {
    Node (_, node) {
      if (node.tag !== undefined) yamlProblems.push(`${where(node.range?.[0] ?? 0)} the tag ${node.tag.replace(/^tag:yaml\.org,2002:/, '!!')} is not allowed: scenario files are plain YAML or JSON without tags`)
    },
  })
  if (yamlProblems.length > 0) throw new ScenarioFileError(file, yamlProblems.slice(0, MAX_PROBLEMS))
  let content: unknown
  try {
    content = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (error) {
    throw new ScenarioFileError(file, [`${where(0)} ${(error as Error).message}: use fewer aliases (*name), or write the values out`])
  }
  const depth = depthProblem(content)
  if (depth !== undefined) throw new ScenarioFileError(file, [`${where(offsetOf(doc, depth))} ${pathText(depth.slice(0, 6))}…: nested more than ${MAX_DEPTH} levels deep (or refers to itself through an alias)`])
  const result = scenarioFileSchema.safeParse(content)
  if (result.success) return { content, scenario: result.data }
  const problems = result.error.issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const { path, message, atKey } = describeIssue(issue, content)
    return `${where(offsetOf(doc, path, atKey))} ${pathText(path)}: ${message}`
  })
  throw new ScenarioFileError(file, problems)
}

/** Validates content that was already parsed (in a worker): same checks, positions unknown. */
export function validateScenarioContent (content: unknown, file: string): ScenarioFile {
  const result = scenarioFileSchema.safeParse(content)
  if (result.success) return result.data
  throw new ScenarioFileError(file, result.error.issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const { path, message } = describeIssue(issue, content)
    return `${pathText(path)}: ${message}`
  }))
}

/** Flow brackets and indentation, counted outside quotes and comments: cheap, and bounds the parser's recursion. */
function nestingProblem (text: string): { offset: number, message: string } | undefined {
  let depth = 0
  let quote = ''
  let lineStart = true
  let indent = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n') { lineStart = true; indent = 0; if (quote === '#') quote = ''; continue }
    if (lineStart && c === ' ') { if (++indent > MAX_INDENT) return { offset: i, message: `is indented more than ${MAX_INDENT} columns: nesting too deep` }; continue }
    lineStart = false
    if (quote === '#') continue
    if (quote !== '') { if (c === quote && text[i - 1] !== '\\') quote = ''; continue }
    if (c === '"' || c === '\'') quote = c
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) quote = '#'
    else if (c === '[' || c === '{') { if (++depth > MAX_FLOW_DEPTH) return { offset: i, message: `opens more than ${MAX_FLOW_DEPTH} nested [ or { : nesting too deep` } }
    else if ((c === ']' || c === '}') && depth > 0) depth--
  }
  return undefined
}

/** The path of the first value nested deeper than MAX_DEPTH (cycles from aliases included). */
function depthProblem (root: unknown): Array<string | number> | undefined {
  const stack: Array<[unknown, Array<string | number>]> = [[root, []]]
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, Array<string | number>]
    if (value === null || typeof value !== 'object') continue
    if (path.length >= MAX_DEPTH) return path
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)
    for (const [key, child] of entries) stack.push([child, [...path, key]])
  }
  return undefined
}

/** Where a path points in the source: the deepest node it reaches (the key, when it ends on a missing or unknown field). */
function offsetOf (doc: Document.Parsed, path: ReadonlyArray<PropertyKey>, atKey = false): number {
  let node: Node | null | undefined = doc.contents
  let offset = node?.range?.[0] ?? 0
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc) as Node | undefined
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment))
      if (pair === undefined) return offset
      offset = (pair.key as Node | null)?.range?.[0] ?? offset
      if (atKey && i === path.length - 1) return offset
      node = pair.value as Node | null
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment] as Node | undefined
    } else {
      return offset
    }
    const start = node?.range?.[0]
    if (start === undefined) return offset
    offset = start
  }
  return offset
}

export function pathText (path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)'
  return path.map((p, i) => typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(String(p)) ? `${i === 0 ? '' : '.'}${String(p)}` : `[${JSON.stringify(String(p))}]`).join('')
}

function valueAt (root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root
  for (const p of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p] : undefined
  return value
}

function describeValue (value: unknown): string {
  if (value === null) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the text '${value.length > 30 ? `${value.slice(0, 30)}…` : value}'`
  return `${typeof value} ${String(value)}`
}

/** zod's issue in words for a person editing the file; unknown fields get a "did you mean". */
function describeIssue (issue: z.core.$ZodIssue, content: unknown): { path: PropertyKey[], message: string, atKey?: boolean } {
  const path = [...issue.path]
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string
    const allowed = allowedKeys(path)
    const guess = allowed.find((k) => closeTo(k, key))
    const rest = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => `'${k}'`).join(', ')})` : ''
    return { path: [...path, key], atKey: true, message: `unknown field '${key}'${rest}${guess === undefined ? '' : ` (did you mean '${guess}'?)`}; allowed: ${allowed.join(', ')}` }
  }
  const value = valueAt(content, path)
  if (issue.code === 'custom' && (issue.params as { atKey?: boolean } | undefined)?.atKey === true) return { path, message: issue.message, atKey: true }
  if (issue.code === 'invalid_type' && path.length === 0) return { path, message: `the file must hold a mapping with agencies and requests (name, rate, agencies: [...], requests: [...]); got ${describeValue(value)}` }
  if (issue.code === 'invalid_type' && value === undefined) return { path, message: `is required: ${issue.message.startsWith('Invalid input') ? `add ${String(path.at(-1))}` : issue.message}` }
  if (issue.message.startsWith('Invalid input') || issue.message.startsWith('Too ') || issue.message.startsWith('Invalid ')) {
    return { path, message: `${issue.message.replace(/^Invalid input: /, '')}; got ${describeValue(value)}` }
  }
  return { path, message: issue.code === 'invalid_type' ? `${issue.message}; got ${describeValue(value)}` : issue.message }
}

function allowedKeys (path: PropertyKey[]): readonly string[] {
  const last = [...path].reverse().find((p) => typeof p === 'string')
  if (last === undefined) return allowedFields.top
  return last === 'agencies' || last === 'requests' || last === 'stages' ? allowedFields[last] : []
}

/** A likely typo: at most two edits apart (Levenshtein), or a plural/singular of the same word. */
function closeTo (a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  if (x === `${y}s` || `${x}s` === y) return true
  if (Math.abs(x.length - y.length) > 2 || Math.min(x.length, y.length) < 4) return false
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return (previous[y.length] as number) <= 2
}
