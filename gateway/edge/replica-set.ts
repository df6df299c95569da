// The upstreams of a forwarder, taken in turn. One that refuses a connection is set aside and probed
// (GET /healthz) until it answers again, so only the request that found it down is affected, and
// that one is sent to another replica when none of it was read yet (see forward-proxy.ts).
import { Pool } from 'undici'

export interface Replica {
  readonly origin: string
  readonly pool: Pool
}

interface Tracked extends Replica {
  down: boolean
}

export class ReplicaSet {
  readonly #replicas: Tracked[]
  readonly #probes = new Set<NodeJS.Timeout>()
  #next = 0
  #closed = false

  constructor (origins: readonly string[], poolOptions: Pool.Options, private readonly probeMs = 1000) {
    this.#replicas = origins.map((origin) => ({ origin, pool: new Pool(origin, poolOptions), down: false }))
  }

  /** The next replica in turn that is up; when all are down, the next one all the same (it may be back). */
  pick (): Replica {
    const count = this.#replicas.length
    for (let tried = 0; tried < count; tried++) {
      const replica = this.#replicas[this.#next++ % count] as Tracked
      if (!replica.down) return replica
    }
    return this.#replicas[this.#next++ % count] as Tracked
  }

  get size (): number {
    return this.#replicas.length
  }

  /** Sets the replica aside until a probe of its /healthz answers. */
  markDown (replica: Replica): void {
    const tracked = replica as Tracked
    if (tracked.down || this.#closed) return
    tracked.down = true
    const probe = setInterval(() => {
      tracked.pool.request({ path: '/healthz', method: 'GET', headersTimeout: this.probeMs, bodyTimeout: this.probeMs })
        .then(async (answer) => {
          await answer.body.dump()
          if (answer.statusCode < 500) this.#restore(tracked, probe)
        }, () => undefined)
    }, this.probeMs)
    probe.unref()
    this.#probes.add(probe)
  }

  async close (): Promise<void> {
    this.#closed = true
    for (const probe of this.#probes) clearInterval(probe)
    this.#probes.clear()
    await Promise.all(this.#replicas.map(async (replica) => await replica.pool.close()))
  }

  #restore (replica: Tracked, probe: NodeJS.Timeout): void {
    clearInterval(probe)
    this.#probes.delete(probe)
    replica.down = false
  }
}
