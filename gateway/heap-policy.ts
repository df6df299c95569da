// How the hub's heap treats what an exchange allocates. Nearly all of it dies young: the exchange's
// state when the answer is sent, its transaction record once its batch is committed (tens of ms under
// load). V8's allocation-site pretenuring watches how much of a site's allocations survive a young
// collection and, past a ratio, allocates the site's objects in the old generation from then on.
// Records sit in the writer's queue for about as long as the interval between young collections, so
// the ratio hovers near the threshold, and one hub in three or four started tenuring them: every
// record then died in the old generation, full collections came every few seconds, and each young
// collection had to scan old records pointing at young strings. Young collections cost 3–4 times as
// much (1.3–1.5 s against 0.4 s over 16 s of saturation) and the hub used 7–10 µs more CPU per
// exchange, by the throw of a die at start (scratch runs of bench/hub.ts's saturation load, 6 s rounds).
import { setFlagsFromString } from 'node:v8'

/** Applies to the whole process: call it only where the process is a hub (ndxp gateway). */
export function keepExchangeObjectsYoung (): void {
  // Read by V8 at each young collection, when it would decide to tenure a site: setting it at run
  // time takes effect.
  setFlagsFromString('--no-allocation-site-pretenuring')
}
