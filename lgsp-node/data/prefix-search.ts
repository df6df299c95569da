// Every generated dataset maps a dense index to its group (province, bucket, commune…) through a
// sorted table of group starts: this is the one search they share.

/** The last position p in [0, last] with starts[p] ≤ value (starts ascending, starts[0] ≤ value). */
export function lastStartAtOrBelow (starts: ArrayLike<number>, last: number, value: number): number {
  return lastStartBetween(starts, 0, last, value)
}

/** The same search in [first, last], when the answer is known to lie there (starts[first] ≤ value). */
export function lastStartBetween (starts: ArrayLike<number>, first: number, last: number, value: number): number {
  let low = first
  let high = last
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if ((starts[middle] as number) <= value) low = middle
    else high = middle - 1
  }
  return low
}
