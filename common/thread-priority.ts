// Background threads give way to the event loop. On Linux each thread has its own nice value, so a
// thread can lower its own priority without touching the process's: when the event loop and the
// thread both want the one core they share (a hub pinned to a core, or a busy machine), the
// scheduler runs the event loop first, and a batch being written no longer holds up the exchanges
// that arrive meanwhile. While both stay busy the thread still gets a share of the core, as nice
// values weigh it (about a quarter at 5 steps lower), not nothing.
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

/** The highest nice value (the lowest priority) Linux allows. */
const LOWEST_PRIORITY = 19

/** This thread's id as Linux knows it, or undefined where /proc does not say (not Linux). */
export function currentThreadId (): number | undefined {
  try {
    // "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined
  } catch {
    return undefined
  }
}

/**
 * Lowers the calling thread's priority by `steps` nice values (never raising it: a process started
 * at a lower priority keeps it). Returns the thread's nice value after, or undefined where threads
 * have no priority of their own to set (the thread then runs as before).
 */
export function lowerThreadPriority (steps: number): number | undefined {
  const tid = currentThreadId()
  if (tid === undefined) return undefined
  try {
    const nice = Math.min(LOWEST_PRIORITY, getPriority(tid) + steps)
    setPriority(tid, nice)
    return getPriority(tid)
  } catch {
    return undefined
  }
}
