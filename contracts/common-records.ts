// Record pieces shared by several national databases: addresses and provinces.
import { z } from 'zod'

export const addressSchema = z.object({
  line: z.string(),
  communeCode: z.string().regex(/^\d{5}$/),
  commune: z.string(),
  district: z.string().optional().describe('Absent in the 34-province view: districts were abolished on 1 July 2025'),
  province: z.string(),
  provinceCode: z.string().regex(/^\d{3}$/),
}).meta({ id: 'Address' })

export const placeSchema = z.object({
  provinceCode: z.string().regex(/^\d{3}$/),
  province: z.string(),
}).meta({ id: 'Place' })

export const viewQuerySchema = z.object({
  view: z.enum(['63', '34']).default('63').describe('Addresses in the 63-province (before 1 July 2025) or 34-province view'),
}).strict()

/**
 * A person's full name as a write takes it: stored in NFC, so that a name typed with combining marks
 * (NFD, as macOS and some keyboards send Vietnamese) is the same name as its precomposed form.
 */
/**
 * A name as registers compare it: composed (NFC), spaced once, in Vietnamese lower case. A registrar
 * retyping "nguyễn  minh AN" means the same person as "Nguyễn Minh An".
 */
export function comparableName (name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi')
}

export const personNameSchema = z.string().normalize('NFC').trim().min(3).max(200)
  .regex(/^(?:\p{L}\p{M}*| )+$/u, 'full name may contain letters and spaces only')
