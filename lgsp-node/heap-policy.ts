// How a node process sizes its heap. A node's live heap is about constant (~30 MB) whatever it has
// served: records are computed per request, bounded tables are built at start, the overlay lives in
// SQLite. V8's default policy lets the old generation grow to several times its live size before a
// full collection, so under sustained load resident memory climbed 40–50% although nothing was kept.
// Allowing 20% over what the last full collection kept holds it flat, for a full collection every
// few seconds under load (mostly concurrent marking; well under 1% of the CPU in the mocks bench).
import { setFlagsFromString } from 'node:v8'

export const HEAP_GROWING_PERCENT = 20

/** Applies to the whole process: call it only where the process is a node (ndxp node). */
export function keepHeapNearLiveSize (): void {
  // Read by V8 each time it sets the next collection's limit, so setting it at run time takes effect.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}
