// Seeded pseudo-random streams, so a rule's decisions replay exactly on every machine (never Math.random).

/** Uniform in [0, 1). */
export type Random = () => number

// FNV-1a: turns a purpose name into 32 bits, so each purpose of one rule gets its own stream and
// e.g. latency sampling never shifts the sequence of probability decisions.
function hash32 (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: tiny, fast and well distributed enough for fault decisions (not for cryptography). */
export function createRandom (seed: number, purpose: string): Random {
  let state = (seed ^ hash32(purpose)) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [0, n). */
export function pick (random: Random, n: number): number {
  return Math.floor(random() * n)
}
