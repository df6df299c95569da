// A node's link to its hub: registers the node's URL on start, heartbeats on an interval, and says
// "down" on a graceful stop so the hub stops routing to it at once instead of after a timeout.
import type { FastifyBaseLogger } from 'fastify'
import { request } from 'undici'

export interface HubLinkOptions {
  readonly hubUrl: string
  readonly nodeId: string
  /** The URL the hub should route to (what this node advertises). */
  readonly baseUrl: string
  /** The owning member's agency key: only the owner may register or heartbeat its node. */
  readonly apiKey: string
  readonly intervalMs: number
  readonly logger: FastifyBaseLogger
}

export class HubLink {
  private timer: NodeJS.Timeout | undefined
  private failing = false

  constructor (private readonly options: HubLinkOptions) {}

  private async call (method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
    const response = await request(`${this.options.hubUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 5000,
      bodyTimeout: 5000,
    })
    const text = await response.body.text()
    if (response.statusCode >= 300) throw new Error(`hub answered ${response.statusCode}: ${text.slice(0, 300)}`)
  }

  private async heartbeat (health: 'up' | 'down'): Promise<void> {
    await this.call('POST', `/v1/nodes/${encodeURIComponent(this.options.nodeId)}/heartbeat`, { health })
  }

  private async beat (): Promise<void> {
    try {
      await this.heartbeat('up')
      if (this.failing) this.options.logger.info('heartbeats reach the hub again')
      this.failing = false
    } catch (error) {
      // The hub may restart or not be up yet: keep beating, complain once per outage.
      if (!this.failing) this.options.logger.warn({ err: error }, 'heartbeat to the hub failed; retrying')
      this.failing = true
    }
  }

  /** Registers (retrying until the hub answers, for up to `attempts`), then heartbeats. */
  async start (attempts = 20): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.call('PUT', `/v1/nodes/${encodeURIComponent(this.options.nodeId)}`, { baseUrl: this.options.baseUrl })
        break
      } catch (error) {
        if (attempt >= attempts) {
          this.options.logger.error({ err: error }, 'could not register with the hub; serving anyway')
          break
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * attempt)))
      }
    }
    await this.beat()
    this.timer = setInterval(() => { void this.beat() }, this.options.intervalMs)
    this.timer.unref()
  }

  /**
   * Says "down", best effort: when the whole federation stops at once (Ctrl-C on `ndxp up` signals
   * every process), the hub may already be gone. That is expected, not a fault worth a warning and a
   * stack trace; the hub would treat the node as down once its heartbeats went stale anyway.
   */
  async stop (): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    try {
      await this.heartbeat('down')
    } catch (error) {
      this.options.logger.info({ reason: (error as Error).message }, 'could not tell the hub this node is stopping; it will see the node down once heartbeats stop')
    }
  }
}
