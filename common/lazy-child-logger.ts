// Fastify gives every request a child logger with the request id bound in. pino builds one in about
// 0.7 µs (scratch microbenchmark, the hub's logger options), on every exchange, though at the levels
// a hub runs at nearly every request logs nothing. This child is built the first time its request
// logs at a level that is on, and writes exactly what pino's child would have.
import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino'

type LevelCheck = Pick<Logger, 'isLevelEnabled'>

/**
 * A Fastify `childLoggerFactory`. A child with options of its own (a route's log level or
 * serializers), or of a logger that cannot say which levels are on, is built at once as before.
 */
export function lazyChildLoggerFactory (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as FastifyBaseLogger & Partial<LevelCheck>
  if (options.level !== undefined || options.serializers !== undefined || typeof parent.isLevelEnabled !== 'function') return logger.child(bindings, options)
  return new LazyChildLogger(parent as FastifyBaseLogger & LevelCheck, bindings, options)
}

class LazyChildLogger implements FastifyBaseLogger {
  private built: FastifyBaseLogger | undefined

  constructor (private readonly parent: FastifyBaseLogger & LevelCheck, private readonly bindings: Bindings, private readonly options: ChildLoggerOptions) {}

  get level (): string {
    return this.built?.level ?? this.parent.level
  }

  set level (level: string) {
    this.logger().level = level
  }

  fatal (...args: unknown[]): void { this.write('fatal', args) }
  error (...args: unknown[]): void { this.write('error', args) }
  warn (...args: unknown[]): void { this.write('warn', args) }
  info (...args: unknown[]): void { this.write('info', args) }
  debug (...args: unknown[]): void { this.write('debug', args) }
  trace (...args: unknown[]): void { this.write('trace', args) }
  silent (): void {}

  child (bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options)
  }

  private write (level: Level, args: unknown[]): void {
    // Until built, the child's level is its parent's: ask the parent whether this one is on.
    if (this.built === undefined && !this.parent.isLevelEnabled(level)) return
    const log = this.logger()[level] as (...values: unknown[]) => void
    log.apply(this.built, args)
  }

  private logger (): FastifyBaseLogger {
    this.built ??= this.parent.child(this.bindings, this.options)
    return this.built
  }
}
