#!/usr/bin/env node
// The `ndxp` command: dispatches to a subcommand; every subcommand validates its settings first.
// Each subcommand is imported only when it runs: the hub's modules (Fastify, ioredis, prom-client)
// cost a load generator about half a second of CPU it would otherwise spend before its first send.

const usage = `usage: ndxp <command> [options]

commands:
  up                 the whole federation: hub and national-database nodes, one process each
  gateway            the hub alone
  node --node <id>   one national-database node (population, insurance, civil-status, land)
  load               load-test the hub: the built-in national mix or a scenario file (ndxp load --help)
  stats              the hub's transaction counts as a table (ndxp stats --help)
  balance --upstream <url>...   a round-robin load balancer over hub replicas
  lgsp --member <code> --subsystem <code> --hub <url>   an agency's LGSP: adds its identity to exchanges

options of up, gateway and node (each also an NDXP_* environment variable; see README; balance and
lgsp take --host and --port):
  --host <addr>  --port <n>  --data-dir <dir>  --seed <text>  --population <n>
  --admin-token <token>  --log-level <level>  --faults <json|@file>
  --store sqlite|redis  --redis-url <url>  --redis-prefix <p>  --rate-limit-fallback open|closed|local
  --gateway-id <id>`

type Command = (args: string[]) => Promise<void>

const commands: Record<string, () => Promise<Command>> = {
  up: async () => (await import('./up-command.js')).runUp,
  node: async () => (await import('./node-command.js')).runNode,
  gateway: async () => (await import('./gateway-command.js')).runGateway,
  balance: async () => (await import('./edge-commands.js')).runBalance,
  lgsp: async () => (await import('./edge-commands.js')).runLgsp,
  load: async () => (await import('./load-command.js')).runLoadCommand,
  stats: async () => (await import('./stats-command.js')).runStats,
}

/** Errors that mean the command line or a setting is wrong: exit 2 with the usage, not a stack. */
const usageErrorNames = new Set(['SettingsError', 'FaultConfigError'])

function isUsageError (error: unknown): error is Error {
  if (!(error instanceof Error)) return false
  return usageErrorNames.has(error.name) || ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false)
}

async function main (): Promise<void> {
  const [name, ...args] = process.argv.slice(2)
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage)
    return
  }
  const loadCommand = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (loadCommand === undefined) {
    console.error(`ndxp: unknown command '${name}'\n\n${usage}`)
    process.exitCode = 2
    return
  }
  const command = await loadCommand()
  await command(args)
}

main().catch((error: unknown) => {
  if (isUsageError(error)) {
    console.error(`ndxp: ${error.message}\n\n${usage}`)
    process.exit(2)
  }
  const code = (error as NodeJS.ErrnoException).code
  if ((error as { syscall?: string }).syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES')) {
    // A listen failure is a setting to change, not a bug: one line, no stack.
    const { address, port } = error as { address?: string, port?: number }
    const why = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'needs privileges this user lacks' : 'is not an address of this machine'
    console.error(`ndxp: cannot listen on ${address ?? '?'}:${port ?? '?'}: it ${why}; choose another with --port / --host (or the NDXP_*_PORT variable)`)
    process.exit(2)
  }
  console.error(error)
  process.exit(1)
})
