// How the hub's heap treats what an exchange allocates. Nearly all of it dies young: the exchange's
// state when the answer is sent, its transaction record once its batch is committed (tens of ms under
// load). V8's allocation-site pretenuring watches how much of a site's allocations survive a young
// collection and, past a ratio, allocates the site's objects in the old generation from then on.
// Records wait in the writer's queue for about as long as the interval between young collections
// (about 50 ms at saturation), so their survival ratio sits near the threshold. In 4 of 15 hub starts
// the young collections then took 1.3–1.5 s instead of 0.4 s over 15 s of saturation, the heap
// swung between 40 and 140 MB instead of 35–50, and the hub used 5–20 µs more CPU per exchange,
// mostly on V8's GC helper threads; each process kept its mode. With pretenuring off, 14 starts of
// 14 ran in the cheap mode (scratch runs of bench/hub.ts's saturation load, two 6 s rounds each).
import { setFlagsFromString } from 'node:v8'

/** Applies to the whole process: call it only where the process is a hub (ndxp gateway). */
export function keepExchangeObjectsYoung (): void {
  // Read by V8 at each young collection, where it would decide to tenure a site: setting it at run
  // time takes effect (with it set, V8 reports no pretenuring decisions at all).
  setFlagsFromString('--no-allocation-site-pretenuring')
}
