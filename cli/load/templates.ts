// Request templates with `{placeholder}`s filled per request from the datasets: compiled once into
// literal/placeholder parts so the hot path only concatenates, and one draw serves a whole request
// (so `{personalId}`, `{fullName}` and `{dateOfBirth}` name the same citizen).
import type { CitizenCore } from '../../lgsp-node/data/citizens.js'
import type { Rng } from '../../lgsp-node/data/hash.js'
import type { Commune, DatasetDraws, PooledKey } from './data-draws.js'

/** Every placeholder a scenario may use, with what it stands for (shown when a file names another). */
export const placeholderHelp = {
  personalId: 'an existing citizen\'s personal ID',
  fullName: 'that citizen\'s full name',
  dateOfBirth: 'that citizen\'s birth date (YYYY-MM-DD)',
  gender: 'that citizen\'s gender (male/female)',
  socialInsuranceCode: 'that citizen\'s 10-digit social-insurance code',
  missingPersonalId: 'a well-formed personal ID nobody holds (404)',
  missingSocialInsuranceCode: 'a well-formed social-insurance code nobody holds (404)',
  healthCardNumber: 'an existing health-insurance card number',
  missingHealthCardNumber: 'a well-formed card number nobody holds (404)',
  parcelKey: 'an existing land parcel: communeCode/sheet/parcel',
  missingParcelKey: 'a parcel key on a map sheet that does not exist (404)',
  certificateSerial: 'an existing land-use certificate serial',
  missingCertificateSerial: 'a well-formed certificate serial nobody holds (404)',
  registrationNumber: 'an existing birth registration number (KS-…)',
  missingRegistrationNumber: 'a well-formed registration number of no record (404)',
  provinceCode: 'a province code (3 digits)',
  communeCode: 'a commune of that province (5 digits)',
  recentDate: 'a date 1–59 days ago (a birth the register accepts)',
  today: 'today in Vietnam (YYYY-MM-DD)',
  seq: 'a number unique to this request within the run',
} as const
export type Placeholder = keyof typeof placeholderHelp
export const placeholderNames = Object.keys(placeholderHelp) as Placeholder[]

const PLACEHOLDER_RE = /\{([A-Za-z][A-Za-z0-9]*)\}/g
const pooledBy: Partial<Record<Placeholder, PooledKey>> = {
  healthCardNumber: 'health-cards', parcelKey: 'parcels', missingParcelKey: 'parcels', certificateSerial: 'certificates',
  registrationNumber: 'civil-births', missingRegistrationNumber: 'civil-births',
}

/** The placeholders a text names that are not known: a scenario file naming one is refused. */
export function unknownPlaceholders (text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as string).filter((name) => !(name in placeholderHelp))
}

export function placeholdersIn (text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as Placeholder).filter((name) => name in placeholderHelp)
}

/** Key pools a set of templates will draw from, to build them at compile time rather than on the first request. */
export function poolsFor (texts: readonly string[]): PooledKey[] {
  return [...new Set(texts.flatMap(placeholdersIn).map((name) => pooledBy[name]).filter((p): p is PooledKey => p !== undefined))]
}

/** One request's values: each drawn on first use and kept, so related placeholders agree. */
export class RequestDraw {
  private citizenIndex = -1
  private citizenCore: CitizenCore | undefined
  private place: Commune | undefined
  // Created on the first placeholder a template fills: most paths have one or none, and this object
  // is made for every request sent.
  private values: Map<Placeholder, string> | undefined

  /** `sequence` is the request's number within its stream; `streamPrefix` makes it unique within the run. */
  constructor (private readonly draws: DatasetDraws, private readonly rng: Rng, private readonly streamPrefix: string, private readonly sequence: number) {}

  get (name: Placeholder): string {
    if (name === 'seq') return `${this.streamPrefix}${this.sequence}`
    this.values ??= new Map()
    let value = this.values.get(name)
    if (value === undefined) {
      value = this.draw(name)
      this.values.set(name, value)
    }
    return value
  }

  private citizen (): CitizenCore {
    if (this.citizenCore === undefined) {
      this.citizenIndex = this.draws.citizenIndex(this.rng)
      this.citizenCore = this.draws.dataset.citizenAt(this.citizenIndex)
    }
    return this.citizenCore
  }

  private draw (name: Placeholder): string {
    const { draws, rng } = this
    switch (name) {
      case 'personalId': return this.citizen().personalId
      case 'fullName': return this.citizen().fullName
      case 'dateOfBirth': return this.citizen().dateOfBirth
      case 'gender': return this.citizen().gender
      case 'socialInsuranceCode': this.citizen(); return draws.insuranceCodeOf(this.citizenIndex)
      case 'missingPersonalId': return draws.missingPersonalId(rng)
      case 'missingSocialInsuranceCode': return draws.missingInsuranceCode(rng)
      case 'healthCardNumber': return draws.pooled('health-cards', rng)
      case 'missingHealthCardNumber': return draws.missingHealthCard(rng)
      case 'parcelKey': return draws.pooled('parcels', rng)
      case 'missingParcelKey': return draws.missingParcelKey(rng)
      case 'certificateSerial': return draws.pooled('certificates', rng)
      case 'missingCertificateSerial': return draws.missingCertificate(rng)
      case 'registrationNumber': return draws.pooled('civil-births', rng)
      case 'missingRegistrationNumber': return draws.missingRegistration(rng)
      case 'provinceCode': return (this.place ??= draws.commune(rng)).provinceCode
      case 'communeCode': return (this.place ??= draws.commune(rng)).communeCode
      case 'recentDate': return draws.recentDate(rng)
      case 'today': return draws.todayIso
      case 'seq': return `${this.streamPrefix}${this.sequence}`
    }
  }
}

export type Encode = (value: string) => string
/** Path values are percent-encoded per segment; a parcel key keeps its slashes (it spans three segments). */
export const encodePath: Encode = (value) => encodeURIComponent(value).replace(/%2F/g, '/')
/** Values inside a JSON document already serialised: escaped as JSON string content. */
export const encodeJson: Encode = (value) => JSON.stringify(value).slice(1, -1)
/** Header values must stay ASCII; names with diacritics are percent-encoded. */
export const encodeHeader: Encode = (value) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value))
export const asIs: Encode = (value) => value

export type Template = (draw: RequestDraw) => string

/** Splits once into parts; a text without placeholders becomes a constant. */
export function compileTemplate (text: string, encode: Encode): Template {
  const literals: string[] = []
  const names: Placeholder[] = []
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER_RE)) {
    if (!((match[1] as string) in placeholderHelp)) continue
    literals.push(text.slice(last, match.index))
    names.push(match[1] as Placeholder)
    last = match.index + match[0].length
  }
  if (names.length === 0) return () => text
  literals.push(text.slice(last))
  return (draw) => {
    let out = literals[0] as string
    for (let i = 0; i < names.length; i++) out += encode(draw.get(names[i] as Placeholder)) + (literals[i + 1] as string)
    return out
  }
}
