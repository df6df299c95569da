// What a CLI command talks to, passed in so tests can run a command in-process and read what it printed.

export interface CommandIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly env: Record<string, string | undefined>
  readonly now: () => number
  /** Where live progress goes (a terminal gets one line rewritten in place); none when absent. */
  readonly progress?: { write: (text: string) => unknown, readonly isTTY?: boolean, readonly columns?: number }
}

export const processIo: CommandIo = {
  out: (text) => { process.stdout.write(`${text}\n`) },
  err: (text) => { process.stderr.write(`${text}\n`) },
  env: process.env,
  now: () => Date.now(),
  progress: process.stderr,
}

/** A mistake in the command line: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function isUsageError (error: unknown): boolean {
  return error instanceof UsageError || (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true
}
