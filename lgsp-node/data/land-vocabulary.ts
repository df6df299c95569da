// Land-use purposes with their plausible parcel sizes and terms, who tends to hold which, and the
// origin-of-use codes, as the cadastral records and certificates spell them.
import type { LandOriginCode, LandUseCode } from '../../contracts/land.js'
import { WeightedTable } from './hash.js'

export type HolderKind = 'individual' | 'organisation' | 'commune'

export interface LandUse {
  readonly code: LandUseCode
  readonly description: string
  /** Log-uniform parcel area range in m². */
  readonly minArea: number
  readonly maxArea: number
  /** Agricultural land of citizens and leased land run out; homes and public land are long-term. */
  readonly agricultural: boolean
  /** Roads, canals, rivers and cemeteries are mapped and numbered but never certified. */
  readonly certifiable: boolean
}

type Row = readonly [LandUseCode, string, number, number, boolean?, boolean?]
const rows: readonly Row[] = [
  ['ODT', 'Đất ở tại đô thị', 30, 300],
  ['ONT', 'Đất ở tại nông thôn', 80, 1500],
  ['LUC', 'Đất chuyên trồng lúa nước', 200, 3000, true],
  ['LUK', 'Đất trồng lúa nước còn lại', 200, 2500, true],
  ['BHK', 'Đất bằng trồng cây hàng năm khác', 150, 3000, true],
  ['NHK', 'Đất nương rẫy trồng cây hàng năm khác', 500, 10_000, true],
  ['CLN', 'Đất trồng cây lâu năm', 300, 8000, true],
  ['RSX', 'Đất rừng sản xuất', 2000, 100_000, true],
  ['NTS', 'Đất nuôi trồng thủy sản', 200, 10_000, true],
  ['TMD', 'Đất thương mại, dịch vụ', 100, 20_000],
  ['SKC', 'Đất cơ sở sản xuất phi nông nghiệp', 500, 50_000],
  ['TSC', 'Đất xây dựng trụ sở cơ quan', 200, 5000],
  ['DGD', 'Đất xây dựng cơ sở giáo dục và đào tạo', 500, 15_000],
  ['DYT', 'Đất xây dựng cơ sở y tế', 300, 5000],
  ['DTT', 'Đất xây dựng cơ sở thể dục thể thao', 1000, 20_000],
  ['DVH', 'Đất xây dựng cơ sở văn hóa', 100, 3000],
  ['DGT', 'Đất giao thông', 50, 8000, false, false],
  ['DTL', 'Đất thủy lợi', 50, 5000, false, false],
  ['SON', 'Đất sông, ngòi, kênh, rạch, suối', 200, 30_000, false, false],
  ['MNC', 'Đất có mặt nước chuyên dùng', 100, 20_000, false, false],
  ['NTD', 'Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng', 200, 10_000, false, false],
]

export const landUses: Readonly<Record<LandUseCode, LandUse>> = Object.fromEntries(rows.map(([code, description, minArea, maxArea, agricultural = false, certifiable = true]) =>
  [code, { code, description, minArea, maxArea, agricultural, certifiable }])) as Record<LandUseCode, LandUse>

function table (entries: ReadonlyArray<readonly [LandUseCode, number]>): WeightedTable<LandUse> {
  return new WeightedTable(entries.map(([code, weight]) => [landUses[code], weight] as const))
}

/** Citizens in wards mostly hold house plots; in rural communes mostly rice and crop land. */
export const individualUrbanUses = table([['ODT', 55], ['CLN', 10], ['BHK', 8], ['LUC', 8], ['LUK', 4], ['NTS', 4], ['TMD', 3]])
export const individualRuralUses = table([['ONT', 22], ['LUC', 24], ['LUK', 6], ['BHK', 12], ['CLN', 18], ['RSX', 8], ['NTS', 7], ['NHK', 3]])
export const organisationUses = table([
  ['TMD', 25], ['SKC', 20], ['RSX', 12], ['DGD', 10], ['TSC', 8], ['CLN', 8], ['NTS', 5], ['DYT', 4], ['DTT', 4], ['DVH', 4],
])
/** What the commune People's Committee manages: infrastructure, and public-purpose farmland (đất công ích). */
export const communeUses = table([['DGT', 38], ['DTL', 22], ['SON', 9], ['NTD', 8], ['MNC', 4], ['LUC', 9], ['NTS', 4], ['DVH', 3], ['TSC', 3]])

export const landOrigins: Readonly<Record<LandOriginCode, string>> = {
  'DG-CTT': 'Nhà nước giao đất có thu tiền sử dụng đất',
  'DG-KTT': 'Nhà nước giao đất không thu tiền sử dụng đất',
  'DT-TML': 'Nhà nước cho thuê đất trả tiền một lần',
  'DT-THN': 'Nhà nước cho thuê đất trả tiền hằng năm',
  'CNQ-CTT': 'Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất',
  'CNQ-KTT': 'Công nhận quyền sử dụng đất như giao đất không thu tiền sử dụng đất',
}

const origins = (entries: ReadonlyArray<readonly [LandOriginCode, number]>) => new WeightedTable(entries)
export const residentialOrigins = origins([['CNQ-CTT', 45], ['DG-CTT', 25], ['CNQ-KTT', 20], ['DG-KTT', 10]])
export const farmOrigins = origins([['DG-KTT', 55], ['CNQ-KTT', 45]])
export const businessOrigins = origins([['DT-THN', 50], ['DT-TML', 30], ['DG-CTT', 20]])

/** Public bodies get land allocated free of charge and for good; businesses lease it. */
export function isPublicUse (code: LandUseCode): boolean {
  return code === 'TSC' || code === 'DGD' || code === 'DYT' || code === 'DTT' || code === 'DVH' || !landUses[code].certifiable
}

/** Name patterns of organisations holding land, by what the land is for; `{}` takes a place name. */
export const organisationNames: Readonly<Partial<Record<LandUseCode, readonly string[]>>> = {
  TMD: ['Công ty TNHH Thương mại {}', 'Công ty Cổ phần Dịch vụ {}'],
  SKC: ['Công ty Cổ phần Sản xuất {}', 'Công ty TNHH {}'],
  RSX: ['Công ty TNHH MTV Lâm nghiệp {}'],
  CLN: ['Hợp tác xã Nông nghiệp {}'],
  NTS: ['Hợp tác xã Thủy sản {}'],
  DGD: ['Trường Tiểu học {}', 'Trường Trung học cơ sở {}', 'Trường Mầm non {}'],
  TSC: ['Chi cục Thuế khu vực {}', 'Kho bạc Nhà nước khu vực {}'],
  DYT: ['Trung tâm Y tế {}'],
  DTT: ['Trung tâm Thể dục Thể thao {}'],
  DVH: ['Trung tâm Văn hóa {}'],
}

const placeKinds = ['Thành phố', 'Thị trấn', 'Tỉnh', 'Quận', 'Huyện', 'Phường', 'Xã'].map((kind) => ({ leading: `${kind} `, lower: kind.toLowerCase() }))

/** Lower-cases the kind word that leads a place name, as Vietnamese writes it after "Ủy ban nhân dân". */
export function asPlaceInName (name: string): string {
  for (const { leading, lower } of placeKinds) {
    if (name.startsWith(leading)) return lower + name.slice(leading.length - 1)
  }
  return name
}
