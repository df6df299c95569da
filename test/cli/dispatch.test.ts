// The `ndxp` entry point as a user meets it: unknown commands and bad flags end with exit 2, one
// clear line and the usage, never a stack trace; each subcommand loads only when it runs.
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { builtCli } from '../helpers/spawn-cli.js'

function ndxp (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, [builtCli, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NDXP_LOG_LEVEL: 'warn' } })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

t.test('no command prints the usage and succeeds', async (t) => {
  const run = ndxp()
  t.equal(run.status, 0)
  t.match(run.stdout, /usage: ndxp <command>/)
})

t.test('unknown and hostile command names are refused with exit 2', async (t) => {
  for (const name of ['bogus', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '../up', 'UP', '']) {
    const run = ndxp(name)
    if (name === '') {
      t.equal(run.status, 2, 'an empty command name')
      continue
    }
    t.equal(run.status, 2, `'${name}' exits 2`)
    t.match(run.stderr, `unknown command '${name}'`)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
})

t.test('a bad port or unknown flag is a usage error, not a crash', async (t) => {
  for (const args of [['gateway', '--port', 'abc'], ['node', '--node', 'population', '--port', '70000'], ['gateway', '--no-such-flag'], ['stats', '--port', '-1']]) {
    const run = ndxp(...args)
    t.equal(run.status, 2, `${args.join(' ')} exits 2`)
    t.match(run.stderr, /^ndxp( [a-z]+)?: /)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
})

t.test('the load command starts without loading the hub', async (t) => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `
    process.argv = [process.argv[0], ${JSON.stringify(builtCli)}, 'load', '--help']
    await import(${JSON.stringify(builtCli)})
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { createRequire } = await import('node:module')
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.error('LOADED ' + JSON.stringify(loaded.filter((p) => /node_modules\\/(fastify|ioredis|prom-client|better-sqlite3)\\//.test(p))))
  `], { encoding: 'utf8', timeout: 30_000 })
  t.equal(run.status, 0, run.stderr)
  t.match(run.stdout, /ndxp load/)
  t.match(run.stderr, 'LOADED []', 'none of the hub\'s packages were loaded')
})

t.test('ports are plain decimal: an empty, hex or exponent spelling is refused, not read as another port', async (t) => {
  for (const port of ['', '0x4790', '1e3', ' 80', '8080.0']) {
    const run = ndxp('gateway', '--data-dir', ':memory:', '--port', port)
    t.equal(run.status, 2, `--port '${port}' exits 2`)
    t.match(run.stderr, `--port must be a port number 0–65535 (0: any free port), got '${port}'`)
  }
})

t.test('a flag a command has no use for stops it, saying what to use instead', async (t) => {
  const up = ndxp('up', '--port', '18080')
  t.equal(up.status, 2)
  t.match(up.stderr, /--port does not apply here: the federation listens on NDXP_HUB_PORT/)
  const gateway = ndxp('gateway', '--data-dir', ':memory:', '--faults', 'not json')
  t.equal(gateway.status, 2)
  t.match(gateway.stderr, /--faults does not apply here: fault rules belong to the nodes/)
})

t.test('a data directory that cannot be one is named in one line, never a stack trace or a hang', async (t) => {
  const dir = t.testdir({ afile: 'not a directory', locked: {} })
  const { chmodSync, symlinkSync } = await import('node:fs')
  symlinkSync(`${dir}/nowhere/at/all`, `${dir}/dangling`)
  const cases: Array<[string, RegExp]> = [
    [`${dir}/afile`, /cannot be a directory: .*afile is a file/],
    [`${dir}/afile/below`, /cannot be a directory: .*afile is a file/],
    [`${dir}/dangling`, /dangling exists but is not a directory \(a link to nowhere\?\)/],
    ['/proc/ndxp-data', /cannot create \/proc\/ndxp-data \(ENOENT\)/],
  ]
  // root may write anywhere; the permission case means something only for other users.
  if (process.getuid?.() !== 0) {
    chmodSync(`${dir}/locked`, 0o500)
    cases.push([`${dir}/locked/data`, /cannot create .*locked\/data \(EACCES\)/])
  }
  for (const [dataDir, message] of cases) {
    const started = Date.now()
    const run = ndxp('gateway', '--port', '0', '--data-dir', dataDir)
    t.equal(run.status, 2, `${dataDir} exits 2`)
    t.match(run.stderr, /^ndxp: --data-dir \(NDXP_DATA_DIR\) /)
    t.match(run.stderr, message)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
    t.ok(Date.now() - started < 20_000, 'and at once')
  }
})

t.test('a port in use is one line naming it, not a stack trace', async (t) => {
  const { createServer } = await import('node:net')
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { taken.close() })
  const port = String((taken.address() as { port: number }).port)
  const dir = t.testdir({})
  for (const args of [['gateway', '--data-dir', dir], ['node', '--node', 'land', '--data-dir', dir]]) {
    const run = ndxp(...args, '--port', port)
    t.equal(run.status, 2, `${args[0]} exits 2`)
    t.match(run.stderr, `ndxp: cannot listen on 127.0.0.1:${port}: it is in use by another process`)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
})
