// Which file a worker thread runs: built, the sibling .js; from source, the compiled twin only when
// it exists (and is fresh), else the TypeScript itself with the parent's loader.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { threadModule } from '../../common/thread-module.js'

t.test('a built caller runs the .js beside it, inheriting the parent\'s flags', async (t) => {
  const module = threadModule('file:///app/dist/gateway/transactions/sqlite-threaded-store.js', 'sqlite-writer-thread')
  t.equal(module.url.href, 'file:///app/dist/gateway/transactions/sqlite-writer-thread.js')
  t.equal(module.execArgv, undefined, 'inherited, not passed: Node refuses V8 flags passed to a Worker')
})

t.test('the built hub starts under node flags a Worker refuses when they are passed explicitly', async (t) => {
  // `node --trace-gc dist/cli/ndxp.js gateway` once failed at start: the log's writer thread was
  // given the parent's flags explicitly, and Node refuses V8 options in a Worker's execArgv.
  const cli = fileURLToPath(new URL('../../dist/cli/ndxp.js', import.meta.url))
  const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-flags-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, ['--trace-gc', '--max-semi-space-size=8', cli, 'gateway', '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, NDXP_DATA_DIR: dataDir, NDXP_ADMIN_TOKEN: 'flags-test-token', NDXP_LOG_LEVEL: 'warn', NDXP_HUB_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => { child.kill('SIGKILL') })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] !== undefined) resolve(match[1])
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the hub exited with ${code}: ${output.slice(-2000)}`)))
  })
  const response = await request(`${url}/readyz`)
  t.equal(response.statusCode, 200, 'ready: the transaction log\'s writer thread started')
  await response.body.dump()
})

t.test('from source, a module with no compiled twin runs from its source with the loader', async (t) => {
  const caller = new URL('../../gateway/transactions/sqlite-threaded-store.ts', import.meta.url).href
  const module = threadModule(caller, 'no-such-thread-module')
  t.equal(module.url.href, new URL('../../gateway/transactions/no-such-thread-module.ts', import.meta.url).href)
  t.strictSame(module.execArgv, process.execArgv.filter((flag) => !flag.startsWith('--input-type')), 'the loader flags are kept')
})

t.test('from source, a fresh twin under dist/ runs without the loader unless asked to keep it', async (t) => {
  const caller = new URL('../../gateway/transactions/sqlite-threaded-store.ts', import.meta.url).href
  const module = threadModule(caller, 'sqlite-writer-thread')
  // `npm test` builds first, so the twin is there and newer than every source file.
  t.match(module.url.pathname, /\/dist\/gateway\/transactions\/sqlite-writer-thread\.js$/)
  t.notOk((module.execArgv ?? []).some((flag) => /^--(import|loader|require)/.test(flag)), 'no loader for compiled code')
  const kept = threadModule(caller, 'sqlite-writer-thread', { keepLoader: true })
  t.strictSame(kept.execArgv, process.execArgv.filter((flag) => !flag.startsWith('--input-type')))
})
