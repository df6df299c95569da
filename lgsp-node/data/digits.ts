// Zero-padded decimals from a 1000-entry table: personal IDs, codes, serials and dates are formatted
// for every generated record, where String() + padStart costs a number conversion and two strings.

const threeDigits: readonly string[] = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'))
const twoDigits: readonly string[] = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'))

/** 0 ≤ value < 100. */
export function padded2 (value: number): string {
  return twoDigits[value] as string
}

/** 0 ≤ value < 1000. */
export function padded3 (value: number): string {
  return threeDigits[value] as string
}

/** 0 ≤ value < 10^6. */
export function padded6 (value: number): string {
  const high = Math.floor(value / 1000)
  return (threeDigits[high] as string) + (threeDigits[value - high * 1000] as string)
}

/** 0 ≤ value < 10^8. */
export function padded8 (value: number): string {
  const high = Math.floor(value / 1_000_000)
  return (twoDigits[high] as string) + padded6(value - high * 1_000_000)
}
