// Keeps the hub's compiled registry view current: reloads when the store's version moves, checked on
// a timer, at once after an admin change through this hub, and (with a shared store) at once when
// another replica announces a change. Never on the request path.
import type { FastifyBaseLogger } from 'fastify'
import type { RegistryStore } from '../registry/store.js'
import { RegistryView } from './registry-view.js'

export interface RegistryCacheOptions {
  readonly store: RegistryStore
  readonly logger: FastifyBaseLogger
  /** How often to ask the store for its version, as a safety net for missed announcements. */
  readonly pollMs?: number
  /** Subscribes to announcements of new versions (a Redis store pushes them); resolves once listening. */
  readonly changes?: (onVersion: (version: number) => void) => Promise<{ close: () => Promise<void> }>
  /** Sees each new view once it is current (state kept per registry entity follows it). */
  readonly onView?: (view: RegistryView) => void
}

export class RegistryCache {
  private view: RegistryView | undefined
  private timer: NodeJS.Timeout | undefined
  private refreshing: Promise<void> | undefined
  private lastError: unknown
  private subscription: { close: () => Promise<void> } | undefined

  constructor (private readonly options: RegistryCacheOptions) {}

  async start (): Promise<void> {
    await this.refresh()
    this.subscription = await this.options.changes?.((version) => {
      if (this.view === undefined || version !== this.view.version) void this.refresh().catch(() => undefined)
    })
    this.timer = setInterval(() => { void this.refresh() }, this.options.pollMs ?? 1000)
    this.timer.unref()
  }

  /** The current view; start() must have succeeded. */
  get current (): RegistryView {
    if (this.view === undefined) throw new Error('registry cache used before start()')
    return this.view
  }

  get loaded (): boolean {
    return this.view !== undefined
  }

  /** True while the last attempt to reach the store failed (for /readyz). */
  get stale (): boolean {
    return this.lastError !== undefined
  }

  /** Reloads if the store has moved on; concurrent callers share one reload. */
  refresh (): Promise<void> {
    this.refreshing ??= this.reload().finally(() => { this.refreshing = undefined })
    return this.refreshing
  }

  private async reload (): Promise<void> {
    try {
      const version = await this.options.store.version()
      if (this.view === undefined || version !== this.view.version) {
        this.view = new RegistryView(await this.options.store.snapshot())
        this.options.logger.debug({ version }, 'registry view reloaded')
        this.options.onView?.(this.view)
      }
      this.lastError = undefined
    } catch (error) {
      if (this.lastError === undefined) this.options.logger.warn({ err: error }, 'registry store unreachable; serving the last view')
      this.lastError = error
      if (this.view === undefined) throw error
    }
  }

  async stop (): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    await this.subscription?.close()
  }
}
