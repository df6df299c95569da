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
 * any wait inside the generator shows up as corrected minus uncorrected latency. A client sends its next
 * request from the ending's callback, as soon as the response is read: the target gets it while the
 * generator reads the other responses of the same batch, rather than all of them after the batch. An
 * ending inside a send (a request that failed at once) restarts from a `setImmediate` instead, so that
 * failures never recurse.
 */
export function driveClosed (drive: ClosedDrive): Promise<void> {
  const { transport, streams, measureStart, end, signal } = drive
  const slotStream: number[] = drive.shares.flatMap((n, s) => Array<number>(n).fill(s))
  const readyAt = new Float64Array(slotStream.length)
  let pending: number[] = []
  let flushing: NodeJS.Immediate | undefined

  return new Promise((resolve, reject) => {
    let stopped = false
    // Inside a send: an ending now is a request that failed at once, restarted from the event loop.
    let sending = false
    const send = (slot: number, due: number): void => {
      const stream = streams[slotStream[slot] as number] as RequestStream
      transport.send(stream.next(), due, due >= measureStart, slot)
    }
    const flush = (): void => {
      flushing = undefined
      const ready = pending
      pending = []
      if (stopped || performance.now() >= end) return stop()
      sending = true
      try {
        for (const slot of ready) send(slot, readyAt[slot] as number)
      } catch (error) {
        stop(error)
      } finally {
        sending = false
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
      if (sending) {
        readyAt[slot] = doneAt
        pending.push(slot)
        flushing ??= setImmediate(flush)
        return
      }
      if (doneAt >= end) return stop()
      sending = true
      try {
        send(slot, doneAt)
      } catch (error) {
        stop(error)
      } finally {
        sending = false
      }
    }
    const startTimer = setTimeout(() => {
      const now = performance.now()
      sending = true
      try {
        for (let slot = 0; slot < slotStream.length; slot++) send(slot, now)
      } catch (error) {
        stop(error)
      } finally {
        sending = false
      }
    }, Math.max(0, drive.start - performance.now()))
    const endTimer = setTimeout(onAbort, Math.max(0, end - performance.now()))
    if (signal?.aborted === true) return stop()
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
