// The bijections under the land database: parcel key (commune, sheet, parcel) ↔ global parcel index,
// parcel ↔ holder slot (a citizen born in the parcel's province), parcel ↔ certificate serial. Only
// per-commune and per-province tables are kept (~10,600 + 63 entries), so memory stays flat and every
// direction is constant time.
import { provinces } from '../../contracts/provinces.js'
import { communeCount, communeStart } from './communes.js'
import type { NationalDataset } from './dataset.js'
import { padded6 } from './digits.js'
import { FeistelPermutation } from './feistel.js'
import { hashInts, mix32 } from './hash.js'
import { lastStartAtOrBelow } from './prefix-search.js'

const MIN_SHEETS = 5
const MAX_SHEETS = 40
const MIN_PARCELS = 100
const MAX_PARCELS = 600
/** Holder slots per citizen: a citizen holds 0 to this many parcels. */
const SLOTS_PER_CITIZEN = 3
const SERIALS_PER_SERIES = 1_000_000
const LETTERS = 26
/** Serial series in use start at AA; at least A–E, more if a seed made more parcels. */
const MIN_FIRST_LETTERS = 5

/** "AA" … "ZZ": the two letters of each serial series. */
const seriesLetters: readonly string[] = Array.from({ length: LETTERS * LETTERS }, (_, series) => String.fromCharCode(65 + Math.floor(series / LETTERS), 65 + series % LETTERS))

export interface ParcelKey {
  readonly communeIndex: number
  readonly sheet: number
  readonly parcel: number
}

export class LandIndex {
  /** Number of parcels in the country. */
  readonly size: number
  readonly seed: number
  /** Number of two-letter serial series in use (AA, AB, …). */
  readonly serialSeries: number
  private readonly sheetCounts: Uint8Array
  private readonly sheetKeys: Uint32Array
  /** communeParcelStart[c] is the global index of commune c's first parcel; the last entry is size. */
  private readonly communeParcelStart: Float64Array
  private readonly provinceParcelStart: Float64Array
  private readonly citizenStart: Float64Array
  private readonly holderShuffles: readonly FeistelPermutation[]
  private readonly certificateShuffle: FeistelPermutation

  constructor (dataset: NationalDataset) {
    this.seed = dataset.seed
    this.sheetCounts = new Uint8Array(communeCount)
    this.sheetKeys = new Uint32Array(communeCount)
    this.communeParcelStart = new Float64Array(communeCount + 1)
    let running = 0
    for (let commune = 0; commune < communeCount; commune++) {
      const key = hashInts(this.seed, 0x1a4d, commune)
      const sheets = MIN_SHEETS + mix32(key ^ 0x5ee75) % (MAX_SHEETS - MIN_SHEETS + 1)
      this.sheetKeys[commune] = key
      this.sheetCounts[commune] = sheets
      this.communeParcelStart[commune] = running
      for (let sheet = 1; sheet <= sheets; sheet++) running += this.parcelsOn(key, sheet)
    }
    this.communeParcelStart[communeCount] = running
    this.size = running

    // Provinces own contiguous commune ranges, so they own contiguous parcel ranges too.
    this.provinceParcelStart = new Float64Array(provinces.length + 1)
    this.citizenStart = new Float64Array(provinces.length + 1)
    const shuffles: FeistelPermutation[] = []
    provinces.forEach((_, province) => {
      const [citizenStart, citizenEnd] = dataset.population.provinceRange(province)
      this.citizenStart[province] = citizenStart
      this.citizenStart[province + 1] = citizenEnd
      this.provinceParcelStart[province] = this.communeParcelStart[communeStart[province] as number] as number
      this.provinceParcelStart[province + 1] = this.communeParcelStart[communeStart[province + 1] as number] as number
      // At national scale the slots outnumber the parcels; a small test population leaves parcels whose
      // slot is past every citizen's, and those go to the commune or an organisation.
      const domain = Math.max(1, this.provinceSize(province), SLOTS_PER_CITIZEN * (citizenEnd - citizenStart))
      shuffles.push(new FeistelPermutation(domain, hashInts(this.seed, 0x401d, province)))
    })
    this.holderShuffles = shuffles
    const firstLetters = Math.min(LETTERS, Math.max(MIN_FIRST_LETTERS, Math.ceil(this.size / (LETTERS * SERIALS_PER_SERIES))))
    this.serialSeries = firstLetters * LETTERS
    this.certificateShuffle = new FeistelPermutation(this.serialSeries * SERIALS_PER_SERIES, hashInts(this.seed, 0xce27))
  }

  private parcelsOn (sheetKey: number, sheet: number): number {
    return MIN_PARCELS + mix32(sheetKey + Math.imul(sheet, 0x9e3779b9)) % (MAX_PARCELS - MIN_PARCELS + 1)
  }

  private provinceSize (province: number): number {
    return (this.provinceParcelStart[province + 1] as number) - (this.provinceParcelStart[province] as number)
  }

  sheetCount (communeIndex: number): number {
    return this.sheetCounts[communeIndex] ?? 0
  }

  /** Parcels on a sheet of a commune (0 when the commune has no such sheet). */
  parcelCount (communeIndex: number, sheet: number): number {
    if (sheet < 1 || sheet > this.sheetCount(communeIndex)) return 0
    return this.parcelsOn(this.sheetKeys[communeIndex] as number, sheet)
  }

  /**
   * Global index of the parcel, or -1 when the commune has no such sheet or parcel. The sheets before
   * it are summed from their hashes (at most 39) rather than kept in a ~235,000-entry table.
   */
  indexOf (key: ParcelKey): number {
    const { communeIndex, sheet, parcel } = key
    if (!Number.isInteger(parcel) || parcel < 1 || parcel > this.parcelCount(communeIndex, sheet)) return -1
    const sheetKey = this.sheetKeys[communeIndex] as number
    let index = this.communeParcelStart[communeIndex] as number
    for (let before = 1; before < sheet; before++) index += this.parcelsOn(sheetKey, before)
    return index + parcel - 1
  }

  /** The key of the parcel at a global index (0 ≤ index < size). */
  keyAt (index: number): ParcelKey {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`parcel index ${index} is outside [0, ${this.size})`)
    const communeIndex = lastStartAtOrBelow(this.communeParcelStart, communeCount - 1, index)
    const sheetKey = this.sheetKeys[communeIndex] as number
    let rest = index - (this.communeParcelStart[communeIndex] as number)
    let sheet = 1
    for (let count = this.parcelsOn(sheetKey, sheet); rest >= count; count = this.parcelsOn(sheetKey, sheet)) {
      rest -= count
      sheet++
    }
    return { communeIndex, sheet, parcel: rest + 1 }
  }

  /** The parcel's order in its commune, from 0: registry numbers count with it. */
  positionInCommune (index: number, communeIndex: number): number {
    return index - (this.communeParcelStart[communeIndex] as number)
  }

  /** The citizen index the parcel's holder slot falls on, or -1 past every citizen's slots; the record decides whether they can hold it. */
  slotCitizen (index: number): number {
    const province = lastStartAtOrBelow(this.provinceParcelStart, provinces.length - 1, index)
    const start = this.citizenStart[province] as number
    const citizens = (this.citizenStart[province + 1] as number) - start
    const slot = (this.holderShuffles[province] as FeistelPermutation).forward(index - (this.provinceParcelStart[province] as number))
    return slot < SLOTS_PER_CITIZEN * citizens ? start + slot % citizens : -1
  }

  /** Global indexes (ascending) of the parcels whose holder slot falls on the citizen: the inverse of slotCitizen. */
  slotParcels (citizenIndex: number): number[] {
    const province = lastStartAtOrBelow(this.citizenStart, provinces.length - 1, citizenIndex)
    const start = this.citizenStart[province] as number
    const citizens = (this.citizenStart[province + 1] as number) - start
    const parcels = this.provinceSize(province)
    const shuffle = this.holderShuffles[province] as FeistelPermutation
    const found: number[] = []
    for (let round = 0; round < SLOTS_PER_CITIZEN; round++) {
      const local = shuffle.inverse(citizenIndex - start + round * citizens)
      if (local < parcels) found.push((this.provinceParcelStart[province] as number) + local)
    }
    return found.sort((a, b) => a - b)
  }

  /** The certificate serial number reserved for a parcel (whether a certificate was issued is the record's call). */
  serialOf (index: number): string {
    const value = this.certificateShuffle.forward(index)
    const series = Math.floor(value / SERIALS_PER_SERIES)
    return (seriesLetters[series] as string) + padded6(value - series * SERIALS_PER_SERIES)
  }

  /** The parcel a well-formed serial is reserved for, or -1 when its series is unused or it maps past the last parcel. */
  parcelOfSerial (serial: string): number {
    if (!/^[A-Z]{2}\d{6}$/.test(serial)) return -1
    const series = (serial.charCodeAt(0) - 65) * LETTERS + serial.charCodeAt(1) - 65
    if (series >= this.serialSeries) return -1
    const index = this.certificateShuffle.inverse(series * SERIALS_PER_SERIES + Number(serial.slice(2)))
    return index < this.size ? index : -1
  }
}

const indexes = new WeakMap<NationalDataset, LandIndex>()

/** The dataset's land index, built once (a few milliseconds) and shared by every request. */
export function landIndex (dataset: NationalDataset): LandIndex {
  let index = indexes.get(dataset)
  if (index === undefined) {
    index = new LandIndex(dataset)
    indexes.set(dataset, index)
  }
  return index
}
