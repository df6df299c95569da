#!/usr/bin/env node
// The `ndxp` command: dispatches to a subcommand; every subcommand validates its settings first.
import { SettingsError } from '../common/config.js'
import { FaultConfigError } from '../lgsp-node/faults/config.js'
import { runBalance, runLgsp } from './edge-commands.js'
import { runGateway } from './gateway-command.js'
import { runLoadCommand } from './load-command.js'
import { runNode } from './node-command.js'
import { runStats } from './stats-command.js'
import { runUp } from './up-command.js'

const usage = `usage: ndxp <command> [options]

commands:
  up                 the whole federation: hub and national-database nodes, one process each
  gateway            the hub alone
  node --node <id>   one national-database node (population, insurance, civil-status, land)
  load               load-test the hub: the built-in national mix or a scenario file (ndxp load --help)
  stats              the hub's transaction counts as a table (ndxp stats --help)
  balance --upstream <url>...   a round-robin load balancer over hub replicas
  lgsp --member <code> --subsystem <code> --hub <url>   an agency's LGSP: adds its identity to calls

options (each also an NDXP_* environment variable; see README):
  --host <addr>  --port <n>  --data-dir <dir>  --seed <text>  --population <n>
  --admin-token <token>  --log-level <level>  --faults <json|@file>
  --store sqlite|redis  --redis-url <url>  --redis-prefix <p>  --rate-limit-fallback open|closed|local
  --gateway-id <id>`

const commands: Record<string, (args: string[]) => Promise<void>> = {
  up: runUp, node: runNode, gateway: runGateway, balance: runBalance, lgsp: runLgsp, load: runLoadCommand, stats: runStats,
}

async function main (): Promise<void> {
  const [name, ...args] = process.argv.slice(2)
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage)
    return
  }
  const command = commands[name]
  if (command === undefined) {
    console.error(`ndxp: unknown command '${name}'\n\n${usage}`)
    process.exitCode = 2
    return
  }
  await command(args)
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError || error instanceof FaultConfigError || (error instanceof Error && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
    console.error(`ndxp: ${error.message}\n\n${usage}`)
    process.exit(2)
  }
  console.error(error)
  process.exit(1)
})
