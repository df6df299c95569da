// Births registered through this node, in the write overlay: the record by number, an index by
// person (child, parents, declarant) for look-ups by personal ID, and the numbers handed out.
import { formatRegistrationNumber, REGISTERED_SERIAL_FROM, type BirthRecord } from '../../../contracts/civil-status.js'
import { NdxpError } from '../../../contracts/errors.js'
import type { Overlay } from '../../overlay.js'

const BIRTH = 'civil-birth'
const BY_PERSON = 'civil-by-person'
/** Every number ever handed out, kept even when the registration then failed (see reserveBirthNumber). */
const NUMBER = 'civil-birth-number'
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
 * Hands out the next number of the year, from REGISTERED_SERIAL_FROM up (generated serials are all
 * below it). A handed-out number is never reused, even if the registration fails afterwards: the
 * population database may already hold an ID for it, and would refuse it for another child.
 */
export function reserveBirthNumber (overlay: Overlay, year: number, now: Date): string {
  return overlay.transaction(() => {
    const used = overlay.countPrefix(NUMBER, `KS-${year}-`)
    if (used >= REGISTERED_SERIALS) {
      throw new NdxpError('client.conflict', `every birth registration number of ${year} is taken; reset the overlay`)
    }
    const registrationNumber = formatRegistrationNumber('KS', year, REGISTERED_SERIAL_FROM + used)
    overlay.insert(NUMBER, registrationNumber, { year }, now)
    return registrationNumber
  })
}

/** Stores a complete birth record and its by-person index in one transaction. */
export function saveBirth (overlay: Overlay, record: BirthRecord, now: Date): void {
  const people = new Set([record.child.personalId, record.father?.personalId, record.mother?.personalId, record.declarant?.personalId])
  overlay.transaction(() => {
    if (!overlay.insert(BIRTH, record.registrationNumber, record, now)) {
      throw new NdxpError('client.conflict', `birth registration ${record.registrationNumber} already exists`)
    }
    for (const personalId of people) {
      if (personalId !== undefined) overlay.insert(BY_PERSON, `${personalId}/${record.registrationNumber}`, record.registrationNumber, now)
    }
  })
}
