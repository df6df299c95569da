// Where a worker thread's module is. Built, it is the .js beside the caller. From TypeScript source
// (tests, run under a loader), a thread would transpile its whole import graph again on every
// start — seconds each — so it runs the compiled twin under dist/ when that is at least as new as
// every source file, and the source itself (with the parent's loader) otherwise.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const projectRoot = fileURLToPath(new URL('..', import.meta.url))
const SOURCE_DIRS = ['cli', 'common', 'contracts', 'gateway', 'lgsp-node', 'registry']

export interface ThreadModule {
  readonly url: URL
  /**
   * Flags the thread starts with. Undefined for built code: the thread inherits the parent's, which
   * Node accepts whatever they are, while passing V8 or per-process flags (`node --trace-gc ...`)
   * explicitly would make the Worker constructor throw. From source: the parent's, less
   * --input-type, which a thread run from a file refuses.
   */
  readonly execArgv: string[] | undefined
}

let newestSource: number | undefined

function newestSourceMtime (): number {
  if (newestSource !== undefined) return newestSource
  let newest = 0
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  for (const dir of SOURCE_DIRS) if (existsSync(join(projectRoot, dir))) walk(join(projectRoot, dir))
  newestSource = newest
  return newest
}

const LOADER_FLAGS = /^--(import|loader|experimental-loader|require)\b/

/**
 * `callerUrl` is the caller's import.meta.url; `name` the thread module's name without extension.
 * `keepLoader`: the thread itself imports TypeScript given to it at run time (a test's module), so
 * the compiled twin still needs the parent's loader; otherwise it starts without (a second faster).
 */
export function threadModule (callerUrl: string, name: string, options: { keepLoader?: boolean } = {}): ThreadModule {
  if (!callerUrl.endsWith('.ts')) return { url: new URL(`./${name}.js`, callerUrl), execArgv: undefined }
  const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type'))
  const source = fileURLToPath(new URL(`./${name}.ts`, callerUrl))
  const twin = join(projectRoot, 'dist', relative(projectRoot, dirname(source)), `${name}.js`)
  if (existsSync(twin) && statSync(twin).mtimeMs >= newestSourceMtime()) {
    return { url: pathToFileURL(twin), execArgv: options.keepLoader === true ? execArgv : execArgv.filter((flag) => !LOADER_FLAGS.test(flag)) }
  }
  return { url: pathToFileURL(source), execArgv }
}
