// Identifiers a load test sends, drawn from the same generated datasets the nodes serve: existing keys
// (a record answers) and well-formed keys of nobody (a 404 answers), cheap enough for the hot path.
import { dayOfIso, isoOfDay } from '../../lgsp-node/data/calendar.js'
import { citizenAt, type CitizenCore } from '../../lgsp-node/data/citizens.js'
import { communeAt, communeStart } from '../../lgsp-node/data/communes.js'
import { DEFAULT_DATASET_SEED, DEFAULT_POPULATION, NationalDataset } from '../../lgsp-node/data/dataset.js'
import { hashInts, hashString, Rng } from '../../lgsp-node/data/hash.js'
import { formatCardNumber, insuranceCodes, type InsuranceCodes } from '../../lgsp-node/data/insurance.js'
import type { Overlay } from '../../lgsp-node/overlay.js'
import type { KeySource } from '../../lgsp-node/service.js'
import { civilStatusKeySources } from '../../lgsp-node/services/civil-status/index.js'
import { insuranceKeySources } from '../../lgsp-node/services/insurance/index.js'
import { landKeySources } from '../../lgsp-node/services/land/index.js'
import { provinces } from '../../contracts/provinces.js'

/**
 * Keys that cost 20–300 µs each (parcels, certificates, cards, birth records) are drawn once into a
 * pool per worker and then picked from it. Nothing on the path caches records, so 128 keys per worker
 * are as good as millions, and building them stays under a quarter of a second.
 */
const POOL_SIZE = 128
/** Serial positions this high are never generated nor reached by issued IDs, which count up from the generated ones. */
const MISSING_SERIAL_FROM = 999_000
const MISSING_CODE_FROM = 99_999_000
/** A fresh child ID for a card write comes from a band above anything issued by births. */
const CHILD_SERIAL_FROM = 500_000
const CHILD_SERIALS_PER_WORKER = 20_000
/** 24 bands of 20,000 fit between CHILD_SERIAL_FROM and MISSING_SERIAL_FROM; more workers share bands. */
const CHILD_BANDS = 24

export type PooledKey = 'health-cards' | 'parcels' | 'certificates' | 'civil-births'

export interface Commune {
  readonly provinceCode: string
  readonly communeCode: string
}

export class DatasetDraws {
  private readonly codes: InsuranceCodes
  private readonly pools = new Map<PooledKey, readonly string[]>()
  private readonly today: number

  /** `today` is the Vietnam calendar date the nodes judge card validity and birth dates against. */
  constructor (readonly dataset: NationalDataset, private readonly poolSeed: number, readonly todayIso: string, private readonly workerIndex = 0) {
    this.codes = insuranceCodes(dataset)
    this.today = dayOfIso(todayIso)
  }

  citizenIndex (rng: Rng): number {
    return rng.below(this.dataset.size)
  }

  citizen (rng: Rng): CitizenCore {
    return citizenAt(this.dataset.population, this.citizenIndex(rng))
  }

  personalId (rng: Rng): string {
    return this.dataset.population.idAt(this.citizenIndex(rng))
  }

  /** Same province, year and gender as a real citizen (so it looks real), at a serial nobody holds. */
  missingPersonalId (rng: Rng): string {
    const parts = this.dataset.population.describe(this.citizenIndex(rng))
    return this.dataset.population.idAtPosition(parts.provinceIndex, parts.birthYear, parts.gender, MISSING_SERIAL_FROM + rng.below(1000))
  }

  insuranceCodeOf (citizenIndex: number): string {
    return this.codes.codeAt(citizenIndex)
  }

  missingInsuranceCode (rng: Rng): string {
    return this.codes.codeAtPosition(rng.below(provinces.length), MISSING_CODE_FROM + rng.below(1000))
  }

  missingHealthCard (rng: Rng): string {
    const code = this.missingInsuranceCode(rng)
    return formatCardNumber({ group: 'GD', benefitLevel: 4, provinceCode: code.slice(0, 2), socialInsuranceCode: code })
  }

  pooled (name: PooledKey, rng: Rng): string {
    const pool = this.pool(name)
    return pool[rng.below(pool.length)] as string
  }

  /** A real parcel's commune, on a map sheet no commune has. */
  missingParcelKey (rng: Rng): string {
    const [commune] = this.pooled('parcels', rng).split('/')
    return `${commune}/9999/${1 + rng.below(50)}`
  }

  /** A series of serials the land index never reaches (about 85 of 676 two-letter series are used). */
  missingCertificate (rng: Rng): string {
    return `ZZ${String(rng.below(1_000_000)).padStart(6, '0')}`
  }

  /** A real registration number with its year moved: the serial names a record of another year only. */
  missingRegistration (rng: Rng): string {
    const existing = this.pooled('civil-births', rng)
    const year = Number(existing.slice(3, 7))
    return `KS-${year >= 2025 ? year - 1 : year + 1}${existing.slice(7)}`
  }

  /** A commune with its province; in the given province when one is named. */
  commune (rng: Rng, provinceIndex = rng.below(provinces.length)): Commune {
    const start = communeStart[provinceIndex] as number
    const count = (communeStart[provinceIndex + 1] as number) - start
    return { provinceCode: (provinces[provinceIndex] as { code: string }).code, communeCode: communeAt(start + rng.below(count), this.dataset.seed).code }
  }

  /** 1–59 days before today: a birth the civil-status register accepts (registration is due within 60 days). */
  recentDate (rng: Rng): string {
    return isoOfDay(this.today - 1 - rng.below(59))
  }

  /**
   * A child's personal ID that no generated citizen holds, for card writes: each worker counts through
   * its own band, so two workers never send different details for the same child.
   */
  childId (sequence: number, provinceIndex: number, dateOfBirth: string, gender: 'male' | 'female'): string {
    const position = CHILD_SERIAL_FROM + (this.workerIndex % CHILD_BANDS) * CHILD_SERIALS_PER_WORKER + (sequence % CHILD_SERIALS_PER_WORKER)
    return this.dataset.population.idAtPosition(provinceIndex, Number(dateOfBirth.slice(0, 4)), gender, position)
  }

  /** Builds a pool now rather than on the first request that needs it. */
  prepare (name: PooledKey): void {
    this.pool(name)
  }

  private pool (name: PooledKey): readonly string[] {
    let pool = this.pools.get(name)
    if (pool === undefined) {
      const source = this.source(name)
      const rng = new Rng(hashInts(this.poolSeed, 0x9001, hashString(name)))
      pool = Array.from({ length: Math.min(POOL_SIZE, source.size) }, () => source.keyAt(rng.below(source.size)))
      this.pools.set(name, pool)
    }
    return pool
  }

  private source (name: PooledKey): KeySource {
    // Key sources read generated data only; the overlay (writes) is never touched by keyAt.
    const context = { dataset: this.dataset, overlay: undefined as unknown as Overlay, clock: () => new Date(`${this.todayIso}T05:00:00Z`) }
    const sources = name === 'health-cards' ? insuranceKeySources(context) : name === 'civil-births' ? civilStatusKeySources(context) : landKeySources(context)
    const source = sources.find((s) => s.name === name)
    if (source === undefined) throw new Error(`no key source ${name}`)
    return source
  }
}

const datasets = new Map<string, NationalDataset>()

/** One dataset per seed and size in a thread: its lazily built indexes (land, civil status, codes) are then shared too. */
export function datasetOf (seed = DEFAULT_DATASET_SEED, population = DEFAULT_POPULATION): NationalDataset {
  const key = `${population}:${seed}`
  let dataset = datasets.get(key)
  if (dataset === undefined) datasets.set(key, dataset = new NationalDataset(seed, population))
  return dataset
}

