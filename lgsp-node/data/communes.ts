// Synthetic communes (xã, phường, thị trấn): as many per province as its population suggests, about
// 10,600 in all as before 2025, each a pure function of its index, with a 5-digit code.
import { padded2, padded3 } from './digits.js'
import { Rng } from './hash.js'
import { streetNames } from './names.js'
import { nameOf, placePair, PLACE_WORDS } from './place-names.js'
import { provinceNameAt, provinces, type Province, type ProvinceView } from '../../contracts/provinces.js'
import { lastStartAtOrBelow } from './prefix-search.js'

const TOTAL_COMMUNES = 10_599
/** Real commune codes advance in steps (00001, 00004, 00007…); so do ours, which keeps them 5 digits. */
const CODE_STRIDE = 3
const COMMUNES_PER_DISTRICT = 15

export interface Commune {
  readonly index: number
  readonly code: string
  readonly name: string
  readonly urban: boolean
  readonly district: string
  readonly province: Province
}

const populationTotal = provinces.reduce((sum, p) => sum + p.populationMillions, 0)
/** First commune index of each province, and one past the last, so communeStart[p+1] ends p. */
export const communeStart: Uint32Array = (() => {
  const starts = new Uint32Array(provinces.length + 1)
  provinces.forEach((province, index) => {
    const count = Math.max(60, Math.round(TOTAL_COMMUNES * province.populationMillions / populationTotal))
    starts[index + 1] = (starts[index] as number) + count
  })
  return starts
})()
export const communeCount = communeStart[provinces.length] as number

/** The province of every commune (a byte each, the same for every seed): one load instead of a search. */
const communeProvinces: Uint8Array = (() => {
  const table = new Uint8Array(communeCount)
  for (let province = 0; province < provinces.length; province++) table.fill(province, communeStart[province], communeStart[province + 1])
  return table
})()

function provinceIndexOfCommune (communeIndex: number): number {
  return communeProvinces[communeIndex] ?? lastStartAtOrBelow(communeStart, provinces.length - 1, communeIndex)
}

/** The index in `provinces` of the commune's province (commune.province is that entry). */
export function provinceIndexOf (commune: Commune): number {
  return provinceIndexOfCommune(commune.index)
}

export function communeAt (index: number, seed: number): Commune {
  const provinceIndex = provinceIndexOfCommune(index)
  const province = provinces[provinceIndex] as Province
  const local = index - (communeStart[provinceIndex] as number)
  const rng = Rng.keyed(seed, 0xc0, index)
  // The first districts of a province are its urban core, as with real city districts.
  const urban = local < 2 * COMMUNES_PER_DISTRICT ? rng.chance(0.8) : rng.chance(0.12)
  const districtRng = Rng.keyed(seed, 0xd1, provinceIndex, Math.floor(local / COMMUNES_PER_DISTRICT))
  const districtKind = local < 2 * COMMUNES_PER_DISTRICT ? (province.kind === 'city' ? 'Quận' : 'Thành phố') : 'Huyện'
  const code = 1 + index * CODE_STRIDE
  const thousands = Math.floor(code / 1000)
  return {
    index,
    code: padded2(thousands) + padded3(code - thousands * 1000),
    name: nameOf(urban ? 'Phường' : 'Xã', placePair(rng)),
    urban,
    district: nameOf(districtKind, placePair(districtRng)),
    province,
  }
}

/** The commune with that 5-digit code, or undefined when the code names none. */
export function communeByCode (code: string, seed: number): Commune | undefined {
  if (!/^\d{5}$/.test(code)) return undefined
  const numeric = Number(code) - 1
  if (numeric % CODE_STRIDE !== 0) return undefined
  const index = numeric / CODE_STRIDE
  return index < communeCount ? communeAt(index, seed) : undefined
}

/** A commune of the given province, drawn with the caller's stream. */
export function communeInProvince (provinceIndex: number, rng: Rng, seed: number): Commune {
  const start = communeStart[provinceIndex] as number
  const end = communeStart[provinceIndex + 1] as number
  return communeAt(start + rng.below(end - start), seed)
}

export interface Address {
  readonly line: string
  readonly communeCode: string
  readonly commune: string
  /** The district (abolished in the 34-province view, where this is omitted). */
  readonly district?: string
  readonly province: string
  readonly provinceCode: string
}

/** A street or village address in a commune, shown in the 63- or 34-province view. */
export function addressIn (commune: Commune, rng: Rng, view: ProvinceView): Address {
  let line: string
  if (commune.urban) line = `Số ${rng.between(1, 420)} ${rng.pick(streetNames)}`
  else {
    const kind = rng.chance(0.5) ? 'Thôn' : 'Ấp'
    // Village words may repeat ("Thôn An An"): no redraw, unlike commune names.
    const first = rng.below(PLACE_WORDS)
    line = nameOf(kind, first * PLACE_WORDS + rng.below(PLACE_WORDS))
  }
  const province = provinceNameAt(provinceIndexOfCommune(commune.index), view)
  if (view === '34') return { line, communeCode: commune.code, commune: commune.name, province, provinceCode: commune.province.mergedInto }
  return { line, communeCode: commune.code, commune: commune.name, district: commune.district, province, provinceCode: commune.province.code }
}
