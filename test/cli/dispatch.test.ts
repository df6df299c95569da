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
