// The civil-status register (hộ tịch) of a dataset, with no stored record: a registration number's
// 8-digit serial is a keyed permutation (one per event type) of the record's key — a birth's place
// among the citizens born since the cut-off, the deceased's citizen index, the couple's household
// number, a rarer event's draw number — so number ↔ record is a constant-time computation both ways.
import { formatRegistrationNumber, REGISTERED_SERIAL_FROM, type CivilRecord } from '../../contracts/civil-status.js'
import { civilEventTypes, type CivilEventPrefix } from '../../contracts/identifiers.js'
import { FIRST_DEATH_REGISTRATION_YEAR } from './citizens.js'
import { householdPeople } from './household-members.js'
import { denseEventSpecs, type DenseEventSpec, type DensePrefix } from './civil-status-dense-events.js'
import { BIRTH_REGISTER_FROM, birthRecord, deathRecord, MARRIAGE_REGISTER_FROM, marriageRecord, type NumberOf } from './civil-status-events.js'
import { Family, Subject } from './civil-status-people.js'
import { BirthYearSpan } from './civil-status-spans.js'
import { DEFAULT_POPULATION, type NationalDataset } from './dataset.js'
import { padded8 } from './digits.js'
import { FeistelPermutation } from './feistel.js'
import { hashInts, Rng } from './hash.js'
import { LAST_BIRTH_YEAR } from './population-index.js'

interface DenseEvent {
  readonly spec: DenseEventSpec
  readonly span: BirthYearSpan
  /** The spec's draws scaled to the population size (a smaller test population has fewer events). */
  readonly draws: number
  /** Draw number → dense position in the span: which citizens have the event. */
  readonly draw: FeistelPermutation
}

const prefixes = Object.keys(civilEventTypes) as CivilEventPrefix[]

function isDense (prefix: CivilEventPrefix): prefix is DensePrefix {
  return prefix !== 'KS' && prefix !== 'KT' && prefix !== 'KH'
}

/** The first year a generated record of the type can carry. */
export function firstRegistrationYear (prefix: CivilEventPrefix): number {
  if (prefix === 'KS') return BIRTH_REGISTER_FROM
  if (prefix === 'KH') return MARRIAGE_REGISTER_FROM
  return FIRST_DEATH_REGISTRATION_YEAR
}

export class CivilStatusRegister {
  readonly births: BirthYearSpan
  private readonly serials = new Map<CivilEventPrefix, FeistelPermutation>()
  private readonly dense = new Map<DensePrefix, DenseEvent>()

  constructor (readonly dataset: NationalDataset) {
    const population = dataset.population
    // Keys of every type stay below the population size; serials from REGISTERED_SERIAL_FROM up are the overlay's.
    if (population.size > REGISTERED_SERIAL_FROM) throw new RangeError(`civil-status serials cover at most ${REGISTERED_SERIAL_FROM} citizens, not ${population.size}`)
    prefixes.forEach((prefix, position) => {
      this.serials.set(prefix, new FeistelPermutation(REGISTERED_SERIAL_FROM, hashInts(dataset.seed, 0xc5500, position)))
    })
    this.births = new BirthYearSpan(population, BIRTH_REGISTER_FROM, LAST_BIRTH_YEAR)
    for (const spec of denseEventSpecs) {
      const span = new BirthYearSpan(population, spec.fromYear, spec.toYear)
      const draws = Math.min(span.size, Math.round(spec.draws * population.size / DEFAULT_POPULATION))
      this.dense.set(spec.prefix, { spec, span, draws, draw: new FeistelPermutation(Math.max(1, span.size), hashInts(dataset.seed, spec.tag)) })
    }
  }

  /** How many keys the type's numbering uses (some keys hold no record for deaths, marriages and rare events). */
  keyCount (prefix: CivilEventPrefix): number {
    if (prefix === 'KS') return this.births.size
    if (isDense(prefix)) return this.denseEvent(prefix).draws
    return this.dataset.population.size
  }

  /** The generated record registered in `year` with that serial, or undefined. */
  find (prefix: CivilEventPrefix, year: number, serial: number): CivilRecord | undefined {
    if (serial >= REGISTERED_SERIAL_FROM || year < firstRegistrationYear(prefix)) return undefined
    const record = this.recordAtKey(prefix, this.serial(prefix).inverse(serial))
    return record !== undefined && Number(record.registrationDate.slice(0, 4)) === year ? record : undefined
  }

  /** The record with a numbering key: undefined when the key holds none. */
  recordAtKey (prefix: CivilEventPrefix, key: number): CivilRecord | undefined {
    if (!Number.isInteger(key) || key < 0 || key >= this.keyCount(prefix)) return undefined
    const { dataset } = this
    if (prefix === 'KS') return birthRecord(Subject.at(dataset, this.births.indexAt(key)), this.numberOf(prefix, key))
    if (prefix === 'KT') return deathRecord(Subject.at(dataset, key), this.numberOf(prefix, key))
    if (prefix === 'KH') {
      const slots = dataset.households.byNumber(key)
      if (slots === undefined) return undefined
      return marriageRecord(new Family(dataset, householdPeople(dataset, slots)), this.numberOf(prefix, key))
    }
    const event = this.denseEvent(prefix)
    return this.build(event, Subject.at(dataset, event.span.indexAt(event.draw.forward(key))), key)
  }

  /** Every generated record the citizen at `index` takes part in, oldest first. */
  recordsOf (index: number): CivilRecord[] {
    const subject = Subject.at(this.dataset, index)
    const { family, core } = subject
    const records: CivilRecord[] = []
    const add = (record: CivilRecord | undefined): void => { if (record !== undefined) records.push(record) }
    add(this.birthOf(subject))
    add(deathRecord(subject, this.numberOf('KT', index)))
    for (const prefix of ['XNHN', 'TD', 'NCC', 'GH', 'NCN'] as const) add(this.denseRecordOf(prefix, subject))
    const relation = family.relationOf(index)
    if (relation === 'head' || relation === 'spouse') add(marriageRecord(family, this.numberOf('KH', family.number)))
    // Parents appear in their children's births, recognitions and adoptions; a head in a grandchild's guardianship.
    for (const member of family.members) {
      if (member.index === index) continue
      const links = family.links(member.personalId)
      const isParent = links.fatherId === core.personalId || links.motherId === core.personalId
      const isGuardian = relation === 'head' && member.relation === 'grandchild'
      if (!isParent && !isGuardian) continue
      const other = new Subject(this.dataset, family.core(member.index), family)
      if (isParent) {
        add(this.birthOf(other))
        const recognition = this.denseRecordOf('NCC', other)
        if (recognition?.type === 'parent-child-recognition' && recognition.parent.personalId === core.personalId) records.push(recognition)
        add(this.denseRecordOf('NCN', other))
      }
      if (isGuardian) add(this.denseRecordOf('GH', other))
    }
    return records.sort((a, b) => a.registrationDate < b.registrationDate ? -1 : a.registrationDate > b.registrationDate ? 1 : 0)
  }

  private birthOf (subject: Subject): CivilRecord | undefined {
    const position = this.births.positionOf(subject.index, subject.core.birthProvinceIndex, subject.core.birthYear)
    return position < 0 ? undefined : birthRecord(subject, this.numberOf('KS', position))
  }

  private denseRecordOf (prefix: DensePrefix, subject: Subject): CivilRecord | undefined {
    const event = this.denseEvent(prefix)
    const position = event.span.positionOf(subject.index, subject.core.birthProvinceIndex, subject.core.birthYear)
    if (position < 0) return undefined
    const key = event.draw.inverse(position)
    return key < event.draws ? this.build(event, subject, key) : undefined
  }

  private build (event: DenseEvent, subject: Subject, key: number): CivilRecord | undefined {
    return event.spec.build(subject, Rng.keyed(this.dataset.seed, event.spec.tag, key), this.numberOf(event.spec.prefix, key))
  }

  private denseEvent (prefix: DensePrefix): DenseEvent {
    return this.dense.get(prefix) as DenseEvent
  }

  private serial (prefix: CivilEventPrefix): FeistelPermutation {
    return this.serials.get(prefix) as FeistelPermutation
  }

  private numberOf (prefix: CivilEventPrefix, key: number): NumberOf {
    return (year) => registrationNumber(prefix, year, this.serial(prefix).forward(key))
  }
}

const FIRST_NUMBERED_YEAR = 1900
const NUMBERED_YEARS = 300
/** "<prefix>-<year>-" for every type and year 1900–2199, filled in as first met. */
const numberPrefixes = new Array<string | undefined>(prefixes.length * NUMBERED_YEARS).fill(undefined)

/** formatRegistrationNumber for a generated serial (below 10^8), from the tables rather than a template with padStart. */
function registrationNumber (prefix: CivilEventPrefix, year: number, serial: number): string {
  const slot = prefixes.indexOf(prefix) * NUMBERED_YEARS + year - FIRST_NUMBERED_YEAR
  if (!(year >= FIRST_NUMBERED_YEAR && year < FIRST_NUMBERED_YEAR + NUMBERED_YEARS && serial >= 0 && serial < 1e8)) return formatRegistrationNumber(prefix, year, serial)
  let start = numberPrefixes[slot]
  if (start === undefined) {
    start = `${prefix}-${year}-`
    numberPrefixes[slot] = start
  }
  return start + padded8(serial)
}

const registers = new WeakMap<NationalDataset, CivilStatusRegister>()

/** The register of a dataset, built once (a few milliseconds, a few kilobytes) and shared. */
export function civilStatusOf (dataset: NationalDataset): CivilStatusRegister {
  let register = registers.get(dataset)
  if (register === undefined) {
    register = new CivilStatusRegister(dataset)
    registers.set(dataset, register)
  }
  return register
}
