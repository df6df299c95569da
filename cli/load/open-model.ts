// The open model: every stream sends on its own arrival schedule, whatever the target's response times.
import { performance } from 'node:perf_hooks'
import type { Transport } from './exchange.js'
import { ArrivalSchedule, type ScheduleCursor } from './schedule.js'
import type { RateStage, RequestStream } from './types.js'

/** The schedule a stream runs: its stages, preceded by `warmupMs` at the rate its first stage starts from. */
export function streamSchedule (stream: RequestStream, warmupMs: number): ArrivalSchedule {
  const stages = stream.stages
  if (stages === undefined || stages.length === 0) {
    throw new Error(`stream "${stream.label}" has no rate stages: the open model needs an arrival schedule for every stream (e.g. stages: [{ durationMs: 60000, targetRate: 100 }])`)
  }
  if (warmupMs <= 0) return new ArrivalSchedule(stages, stream.startRate)
  const startRate = stream.startRate ?? (stages[0] as RateStage).targetRate
  return new ArrivalSchedule([{ durationMs: warmupMs, targetRate: startRate }, ...stages], startRate)
}

export interface OpenDrive {
  readonly transport: Transport
  readonly streams: readonly RequestStream[]
  readonly schedules: readonly ArrivalSchedule[]
  /** `performance.now()` time at which every schedule's time 0 falls. */
  readonly start: number
  /** Requests due before this are sent but not recorded (warm-up). */
  readonly measureStart: number
  readonly maxInFlight: number
  readonly signal?: AbortSignal
}

/**
 * Sends every request at its due time. One timer serves all streams: each tick sends every request
 * that has come due, then sleeps until the next one, so a high rate costs a tick per millisecond or so,
 * not a timer per request. Resolves when every schedule is exhausted or the signal aborts.
 */
export function driveOpen (drive: OpenDrive): Promise<void> {
  const { transport, streams, measureStart, maxInFlight, signal, start } = drive
  const cursors: ScheduleCursor[] = drive.schedules.map((schedule) => schedule.cursor())
  const due = new Float64Array(streams.length)
  for (let s = 0; s < streams.length; s++) due[s] = start + (cursors[s] as ScheduleCursor).next()

  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const finish = (error?: unknown): void => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      signal?.removeEventListener('abort', onAbort)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onAbort = (): void => finish()
    const sendDue = (now: number): number => {
      let soonest = Infinity
      for (let s = 0; s < streams.length; s++) {
        const stream = streams[s] as RequestStream
        const cursor = cursors[s] as ScheduleCursor
        let at = due[s] as number
        while (at <= now) {
          // `next` runs for dropped requests too, so a stream's sequence never depends on the target's speed.
          const request = stream.next()
          if (transport.inFlight >= maxInFlight) transport.drop(request, at, at >= measureStart)
          else transport.send(request, at, at >= measureStart, -1)
          at = start + cursor.next()
        }
        due[s] = at
        if (at < soonest) soonest = at
      }
      return soonest
    }
    const tick = (): void => {
      timer = undefined
      let soonest: number
      try {
        soonest = sendDue(performance.now())
      } catch (error) {
        return finish(error)
      }
      if (soonest === Infinity) finish()
      else timer = setTimeout(tick, Math.max(0, soonest - performance.now()))
    }
    if (signal?.aborted === true) return resolve()
    signal?.addEventListener('abort', onAbort, { once: true })
    timer = setTimeout(tick, Math.max(0, start - performance.now()))
  })
}
