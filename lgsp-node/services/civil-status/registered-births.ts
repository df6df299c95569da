// Births registered through this node, in the write overlay: the record by number, an index by
// person (child, parents, declarant) for look-ups by personal ID, and the numbers handed out.
import { createHash } from 'node:crypto'
import { formatRegistrationNumber, REGISTERED_SERIAL_FROM, type BirthRecord, type BirthRegistrationRequest } from '../../../contracts/civil-status.js'
import { comparableName } from '../../../contracts/common-records.js'
import { NdxpError } from '../../../contracts/errors.js'
import type { Overlay } from '../../overlay.js'

const BIRTH = 'civil-birth'
const BY_PERSON = 'civil-by-person'
/** Every number ever handed out, kept even when the registration then failed (see reserveBirthNumber). */
const NUMBER = 'civil-birth-number'
/** By birth (birthKeyOf): the number a birth holds while its registration is not complete. */
const HELD = 'civil-birth-held'
/** By birth: the number it was registered under. */
const REGISTERED = 'civil-birth-registered'
/** Serials are 8 digits: the overlay has the last million of each year. */
const REGISTERED_SERIALS = 100_000_000 - REGISTERED_SERIAL_FROM
const MAX_RECORDS_PER_PERSON = 1000

export function registeredBirth (overlay: Overlay, registrationNumber: string): BirthRecord | undefined {
  return overlay.get<BirthRecord>(BIRTH, registrationNumber)?.value
}

export function registeredBirthsOf (overlay: Overlay, personalId: string): BirthRecord[] {
  const prefix = `${personalId}/`
  const records: BirthRecord[] = []
  for (const row of overlay.listPrefix<string>(BY_PERSON, prefix, MAX_RECORDS_PER_PERSON)) {
    const record = registeredBirth(overlay, row.value)
    if (record !== undefined) records.push(record)
  }
  return records
}

export function registeredBirthCount (overlay: Overlay): number {
  return overlay.count(BIRTH)
}

/**
 * The same birth, however often it is sent: the child (name, gender, date and place of birth) and its
 * parents. A registrar's retry after a failure, or a double submission, is recognised by it.
 */
export function birthKeyOf (request: BirthRegistrationRequest): string {
  const parts = [comparableName(request.fullName), request.gender, request.dateOfBirth, request.placeOfBirth.provinceCode, request.placeOfBirth.communeCode, request.motherId ?? '', request.fatherId ?? '']
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url')
}

/** The record this birth was registered under, if it was. */
export function birthRegisteredAs (overlay: Overlay, birthKey: string): BirthRecord | undefined {
  const registrationNumber = overlay.get<string>(REGISTERED, birthKey)?.value
  return registrationNumber === undefined ? undefined : registeredBirth(overlay, registrationNumber)
}

/**
 * The number for this birth: the one it already holds from an attempt that failed after asking
 * population for the child's ID (so the retry gets the same ID back rather than a second one), or
 * the next of the year, from REGISTERED_SERIAL_FROM up (generated serials are all below it). A number
 * handed out is never given to another birth. Call once birthRegisteredAs has found no record.
 */
export function reserveBirthNumber (overlay: Overlay, year: number, now: Date, birthKey: string): string {
  return overlay.transaction(() => {
    // Kept across New Year too: population may hold an ID under it, and a new number would get a second.
    const held = overlay.get<string>(HELD, birthKey)?.value
    if (held !== undefined) return held
    const used = overlay.countPrefix(NUMBER, `KS-${year}-`)
    if (used >= REGISTERED_SERIALS) {
      throw new NdxpError('client.conflict', `every birth registration number of ${year} is taken; reset the overlay`)
    }
    const registrationNumber = formatRegistrationNumber('KS', year, REGISTERED_SERIAL_FROM + used)
    overlay.insert(NUMBER, registrationNumber, { year }, now)
    overlay.insert(HELD, birthKey, registrationNumber, now)
    return registrationNumber
  })
}

/** The birth gives up its number (population answered with an ID that cannot be the child's): a retry asks anew. */
export function releaseBirthNumber (overlay: Overlay, birthKey: string): void {
  overlay.delete(HELD, birthKey)
}

/**
 * Stores a complete birth record, its by-person index and the birth's key in one transaction; returns
 * the record stored for this birth: this one, or the one another submission of the same birth stored
 * first (two at once share a number, and the second to finish finds the first's record).
 */
export function saveBirth (overlay: Overlay, record: BirthRecord, now: Date, birthKey: string): { record: BirthRecord, created: boolean } {
  const people = new Set([record.child.personalId, record.father?.personalId, record.mother?.personalId, record.declarant?.personalId])
  return overlay.transaction(() => {
    const first = birthRegisteredAs(overlay, birthKey)
    if (first !== undefined) return { record: first, created: false }
    if (!overlay.insert(BIRTH, record.registrationNumber, record, now)) {
      throw new NdxpError('client.conflict', `birth registration ${record.registrationNumber} already exists`)
    }
    overlay.insert(REGISTERED, birthKey, record.registrationNumber, now)
    overlay.delete(HELD, birthKey)
    for (const personalId of people) {
      if (personalId !== undefined) overlay.insert(BY_PERSON, `${personalId}/${record.registrationNumber}`, record.registrationNumber, now)
    }
    return { record, created: true }
  })
}
