// Wire formats of the land database (cơ sở dữ liệu đất đai, Ministry of Agriculture and Environment):
// cadastral parcels keyed by commune, map sheet and parcel number, their holders and certificates.
import { z } from 'zod'
import { addressSchema } from './common-records.js'
import { certificateSerialSchema, communeCodeSchema, isoDateSchema, mapSheetSchema, parcelNumberSchema, personalIdSchema } from './identifiers.js'

export const landUseCodes = [
  'ODT', 'ONT', 'LUC', 'LUK', 'BHK', 'NHK', 'CLN', 'RSX', 'NTS', 'TMD', 'SKC', 'TSC', 'DGD', 'DYT', 'DTT', 'DVH',
  'DGT', 'DTL', 'SON', 'MNC', 'NTD',
] as const
export type LandUseCode = typeof landUseCodes[number]

/** Origin of the land-use right as the certificate abbreviates it (giao, cho thuê, công nhận; with or without fee). */
export const landOriginCodes = ['DG-CTT', 'DG-KTT', 'DT-TML', 'DT-THN', 'CNQ-CTT', 'CNQ-KTT'] as const
export type LandOriginCode = typeof landOriginCodes[number]

export const landUseSchema = z.object({
  code: z.enum(landUseCodes),
  description: z.string(),
}).meta({ id: 'LandUse', description: 'Land-use purpose (mục đích sử dụng), code as on cadastral maps, e.g. ONT rural residential' })

export const landOriginSchema = z.object({
  code: z.enum(landOriginCodes),
  description: z.string(),
}).meta({ id: 'LandOrigin', description: 'Origin of use (nguồn gốc sử dụng)' })

export const parcelAreaSchema = z.object({
  total: z.number().positive().describe('m², one decimal'),
  own: z.number().min(0).describe('Area in private use (sử dụng riêng), m²'),
  shared: z.number().min(0).describe('Area in shared use (sử dụng chung), m²'),
}).meta({ id: 'ParcelArea' })

export const parcelHolderSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('individual'), personalId: z.string(), fullName: z.string(), dateOfBirth: isoDateSchema }),
  z.object({ kind: z.literal('organisation'), name: z.string(), taxCode: z.string().regex(/^\d{10}$/).optional() }),
  z.object({ kind: z.literal('commune'), name: z.string(), communeCode: z.string().regex(/^\d{5}$/) }),
]).meta({ id: 'ParcelHolder', description: 'Land user (người sử dụng đất): a citizen as the population database knows them, an organisation, or the commune People\'s Committee managing public land' })

export const certificateSummarySchema = z.object({
  serial: z.string().regex(/^[A-Z]{2}\d{6}$/),
  registryNumber: z.string().regex(/^C[HST]\d{5}$/).describe('Số vào sổ cấp GCN: CH district or commune, CT province (organisations), CS provincial department; then 5 digits'),
  issuedOn: isoDateSchema,
  issuedBy: z.string(),
}).meta({ id: 'CertificateSummary', description: 'Certificate of land-use rights (Giấy chứng nhận, GCN)' })
export type CertificateSummary = z.infer<typeof certificateSummarySchema>

const parcelFields = {
  communeCode: z.string().regex(/^\d{5}$/),
  sheet: z.number().int().min(1).describe('Map sheet number (số tờ bản đồ), numbered per commune'),
  parcel: z.number().int().min(1).describe('Parcel number (số thửa), numbered per sheet'),
  area: parcelAreaSchema,
  landUse: landUseSchema,
  useTerm: z.enum(['long-term', 'limited']).describe('Thời hạn sử dụng: lâu dài, or until useTermUntil'),
  useTermUntil: isoDateSchema.optional(),
  origin: landOriginSchema,
  address: addressSchema,
}

export const parcelSchema = z.object({
  ...parcelFields,
  holder: parcelHolderSchema,
  certificate: certificateSummarySchema.optional().describe('Absent when no certificate was issued (roads, canals, not yet registered)'),
}).meta({ id: 'Parcel' })
export type Parcel = z.infer<typeof parcelSchema>
export type ParcelHolder = z.infer<typeof parcelHolderSchema>

export const certificateSchema = certificateSummarySchema.extend({
  holder: parcelHolderSchema,
  parcel: z.object(parcelFields),
}).meta({ id: 'LandCertificate' })
export type LandCertificate = z.infer<typeof certificateSchema>

export const parcelsByHolderSchema = z.object({
  personalId: z.string(),
  fullName: z.string(),
  parcels: z.array(parcelSchema).describe('Empty when the citizen holds no land in their own name'),
}).meta({ id: 'ParcelsByHolder' })

export const parcelParamsSchema = z.object({
  communeCode: communeCodeSchema,
  sheet: mapSheetSchema,
  parcel: parcelNumberSchema,
}).strict()

export const holderParamsSchema = z.object({ personalId: personalIdSchema }).strict()

export const certificateParamsSchema = z.object({ serial: certificateSerialSchema }).strict()
