// The closed model: N clients, each sending its next request as soon as its previous one has ended.
import { performance } from 'node:perf_hooks'
import type { Transport } from './exchange.js'
import type { RequestStream } from './types.js'

/** Splits `concurrency` clients over streams in proportion to their weights (largest remainder). */
export function splitByWeight (weights: readonly number[], concurrency: number): number[] {
  const clean = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0))
  const sum = clean.reduce((a, b) => a + b, 0)
  if (sum === 0) throw new Error('every stream has weight 0: give at least one stream a positive weight')
  const exact = clean.map((w) => w / sum * concurrency)
  const shares = exact.map(Math.floor)
  let left = concurrency - shares.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i)
  for (const { i } of order) {
    if (left-- <= 0) break
    shares[i] = (shares[i] as number) + 1
  }
  return shares
}

export interface ClosedDrive {
  readonly transport: Transport
  readonly streams: readonly RequestStream[]
  /** Clients per stream (`splitByWeight`). */
  readonly shares: readonly number[]
  readonly start: number
  readonly measureStart: number
  /** No request is sent at or after this `performance.now()` time. */
  readonly end: number
  readonly signal?: AbortSignal
}

/**
 * Runs the clients until `end`. A client's next request is due the moment its previous one ended, so
 * any wait inside the generator shows up as corrected minus uncorrected latency. Ended clients are
 * restarted together from one `setImmediate`, never from inside undici's callback.
 */
export function driveClosed (drive: ClosedDrive): Promise<void> {
  const { transport, streams, measureStart, end, signal } = drive
  const slotStream: number[] = drive.shares.flatMap((n, s) => Array<number>(n).fill(s))
  const readyAt = new Float64Array(slotStream.length)
  let pending: number[] = []
  let flushing: NodeJS.Immediate | undefined

  return new Promise((resolve, reject) => {
    let stopped = false
    const send = (slot: number, due: number): void => {
      const stream = streams[slotStream[slot] as number] as RequestStream
      transport.send(stream.next(), due, due >= measureStart, slot)
    }
    const flush = (): void => {
      flushing = undefined
      const ready = pending
      pending = []
      if (stopped || performance.now() >= end) return stop()
      try {
        for (const slot of ready) send(slot, readyAt[slot] as number)
      } catch (error) {
        stop(error)
      }
    }
    const stop = (error?: unknown): void => {
      if (stopped) return
      stopped = true
      clearTimeout(endTimer)
      clearTimeout(startTimer)
      if (flushing !== undefined) clearImmediate(flushing)
      transport.onSettle = null
      signal?.removeEventListener('abort', onAbort)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onAbort = (): void => stop()
    transport.onSettle = (slot, doneAt) => {
      readyAt[slot] = doneAt
      pending.push(slot)
      flushing ??= setImmediate(flush)
    }
    const startTimer = setTimeout(() => {
      const now = performance.now()
      try {
        for (let slot = 0; slot < slotStream.length; slot++) send(slot, now)
      } catch (error) {
        stop(error)
      }
    }, Math.max(0, drive.start - performance.now()))
    const endTimer = setTimeout(onAbort, Math.max(0, end - performance.now()))
    if (signal?.aborted === true) return stop()
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
