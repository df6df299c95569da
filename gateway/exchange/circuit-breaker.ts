// One circuit per provider node: after `threshold` consecutive failures it opens and requests fail
// fast; after `cooldownMs` one probe goes through (half-open) and its outcome closes or re-opens it.
// A circuit belongs to the node's address: an admin who points the node elsewhere gets a closed
// circuit on the next request, and a node deleted from the registry takes its circuit with it.

export type CircuitState = 'closed' | 'open' | 'half-open'

interface Circuit {
  /** The node's base URL the failures were counted against. */
  baseUrl: string
  state: CircuitState
  failures: number
  openedAt: number
  probing: boolean
}

export interface CircuitBreakerOptions {
  readonly threshold?: number
  readonly cooldownMs?: number
  readonly onChange?: (nodeId: string, state: CircuitState) => void
  /** The node left the registry and its circuit is gone (its metric series should go too). */
  readonly onForget?: (nodeId: string) => void
}

export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>()
  private readonly threshold: number
  private readonly cooldownMs: number

  constructor (private readonly options: CircuitBreakerOptions = {}) {
    this.threshold = options.threshold ?? 5
    this.cooldownMs = options.cooldownMs ?? 5000
  }

  private circuit (nodeId: string, baseUrl: string): Circuit {
    let circuit = this.circuits.get(nodeId)
    if (circuit === undefined) {
      circuit = { baseUrl, state: 'closed', failures: 0, openedAt: 0, probing: false }
      this.circuits.set(nodeId, circuit)
    } else if (circuit.baseUrl !== baseUrl) {
      // Failures of the old address say nothing of the new one.
      circuit.baseUrl = baseUrl
      circuit.failures = 0
      circuit.probing = false
      this.set(nodeId, circuit, 'closed')
    }
    return circuit
  }

  private set (nodeId: string, circuit: Circuit, state: CircuitState): void {
    if (circuit.state === state) return
    circuit.state = state
    this.options.onChange?.(nodeId, state)
  }

  /** Whether a request may go to the node (at `baseUrl`) now; in half-open state only one probe at a time. */
  tryPass (nodeId: string, nowMs: number, baseUrl: string): boolean {
    const circuit = this.circuit(nodeId, baseUrl)
    if (circuit.state === 'closed') return true
    if (circuit.state === 'open' && nowMs - circuit.openedAt >= this.cooldownMs) this.set(nodeId, circuit, 'half-open')
    if (circuit.state === 'half-open' && !circuit.probing) {
      circuit.probing = true
      return true
    }
    return false
  }

  /** Seconds until the next probe may go, for Retry-After on a fast failure. */
  retryAfterSeconds (nodeId: string, nowMs: number): number {
    const openedAt = this.circuits.get(nodeId)?.openedAt ?? 0
    return Math.max(1, Math.ceil((openedAt + this.cooldownMs - nowMs) / 1000))
  }

  /**
   * The circuit an outcome counts in: none when the node was re-pointed (or deleted) while the call
   * to `baseUrl` was in flight; a late failure of the old address must not open the new one's.
   */
  private current (nodeId: string, baseUrl: string): Circuit | undefined {
    const circuit = this.circuits.get(nodeId)
    return circuit?.baseUrl === baseUrl ? circuit : undefined
  }

  onSuccess (nodeId: string, baseUrl: string): void {
    const circuit = this.current(nodeId, baseUrl)
    if (circuit === undefined) return
    circuit.failures = 0
    circuit.probing = false
    this.set(nodeId, circuit, 'closed')
  }

  onFailure (nodeId: string, baseUrl: string, nowMs: number): void {
    const circuit = this.current(nodeId, baseUrl)
    if (circuit === undefined) return
    circuit.failures++
    circuit.probing = false
    if (circuit.state === 'half-open' || circuit.failures >= this.threshold) {
      circuit.openedAt = nowMs
      this.set(nodeId, circuit, 'open')
    }
  }

  /** Drops the circuits of nodes no longer in the registry. */
  forgetAbsent (isRegistered: (nodeId: string) => boolean): void {
    for (const nodeId of [...this.circuits.keys()]) {
      if (isRegistered(nodeId)) continue
      this.circuits.delete(nodeId)
      this.options.onForget?.(nodeId)
    }
  }

  state (nodeId: string): CircuitState {
    return this.circuits.get(nodeId)?.state ?? 'closed'
  }

  states (): ReadonlyMap<string, CircuitState> {
    return new Map([...this.circuits].map(([id, c]) => [id, c.state]))
  }
}
