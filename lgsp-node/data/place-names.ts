// Names made of a kind word and two place words (communes, districts, villages), kept in a table by
// word pair: every generated address names its commune, district and village.
import type { Rng } from './hash.js'
import { placeWords } from './names.js'

export const PLACE_WORDS = placeWords.length
const NAME_KINDS = ['Phường', 'Xã', 'Quận', 'Thành phố', 'Huyện', 'Thôn', 'Ấp'] as const
export type NameKind = typeof NAME_KINDS[number]

/**
 * "<kind> <word> <word>" for every kind and word pair, filled in as first met: at most 7 × 40 × 40
 * strings whatever the seed, where each commune, district and village name would otherwise be built anew.
 */
const namesByPair: Array<string | undefined> = new Array<string | undefined>(NAME_KINDS.length * PLACE_WORDS * PLACE_WORDS).fill(undefined)

export function nameOf (kind: NameKind, pair: number): string {
  const slot = NAME_KINDS.indexOf(kind) * PLACE_WORDS * PLACE_WORDS + pair
  let name = namesByPair[slot]
  if (name === undefined) {
    name = `${kind} ${placeWords[Math.floor(pair / PLACE_WORDS)] as string} ${placeWords[pair % PLACE_WORDS] as string}`
    namesByPair[slot] = name
  }
  return name
}

/** Two different place words (one redraw at most, so a rare repeat stays), as first × PLACE_WORDS + second. */
export function placePair (rng: Rng): number {
  const first = rng.below(PLACE_WORDS)
  let second = rng.below(PLACE_WORDS)
  if (second === first) second = rng.below(PLACE_WORDS)
  return first * PLACE_WORDS + second
}
