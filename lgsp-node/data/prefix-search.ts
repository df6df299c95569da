// Every generated dataset maps a dense index to its group (province, bucket, commune…) through a
// sorted table of group starts: this is the one search they share.

/** The last position p in [0, last] with starts[p] ≤ value (starts ascending, starts[0] ≤ value). */
export function lastStartAtOrBelow (starts: ArrayLike<number>, last: number, value: number): number {
  let low = 0
  let high = last
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if ((starts[middle] as number) <= value) low = middle
    else high = middle - 1
  }
  return low
}
