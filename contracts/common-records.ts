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
