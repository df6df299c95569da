// The 63 provinces of birth registration (their codes lead every personal ID), approximate
// populations (2019 census, millions) to weight the dataset, and the 34-unit view after 1 July 2025.

export interface Province {
  /** Three-digit code used in personal IDs, e.g. '001' Hà Nội. */
  readonly code: string
  readonly name: string
  readonly populationMillions: number
  /** Code of the unit it belongs to from 1 July 2025 (its own code when unchanged or surviving). */
  readonly mergedInto: string
  readonly kind: 'province' | 'city'
}

// [code, name, population (millions), survivor code after 2025 (omitted when itself), city?]
type Row = readonly [string, string, number, string?, 'city'?]
const rows: readonly Row[] = [
  ['001', 'Hà Nội', 8.05, undefined, 'city'], ['002', 'Hà Giang', 0.85, '008'], ['004', 'Cao Bằng', 0.53],
  ['006', 'Bắc Kạn', 0.31, '019'], ['008', 'Tuyên Quang', 0.78], ['010', 'Lào Cai', 0.73], ['011', 'Điện Biên', 0.60],
  ['012', 'Lai Châu', 0.46], ['014', 'Sơn La', 1.25], ['015', 'Yên Bái', 0.82, '010'], ['017', 'Hòa Bình', 0.85, '025'],
  ['019', 'Thái Nguyên', 1.29], ['020', 'Lạng Sơn', 0.78], ['022', 'Quảng Ninh', 1.32], ['024', 'Bắc Giang', 1.80, '027'],
  ['025', 'Phú Thọ', 1.46], ['026', 'Vĩnh Phúc', 1.15, '025'], ['027', 'Bắc Ninh', 1.37], ['030', 'Hải Dương', 1.89, '031'],
  ['031', 'Hải Phòng', 2.03, undefined, 'city'], ['033', 'Hưng Yên', 1.25], ['034', 'Thái Bình', 1.86, '033'],
  ['035', 'Hà Nam', 0.85, '037'], ['036', 'Nam Định', 1.78, '037'], ['037', 'Ninh Bình', 0.98], ['038', 'Thanh Hóa', 3.64],
  ['040', 'Nghệ An', 3.33], ['042', 'Hà Tĩnh', 1.29], ['044', 'Quảng Bình', 0.90, '045'], ['045', 'Quảng Trị', 0.63],
  ['046', 'Huế', 1.13, undefined, 'city'], ['048', 'Đà Nẵng', 1.13, undefined, 'city'], ['049', 'Quảng Nam', 1.50, '048'],
  ['051', 'Quảng Ngãi', 1.23], ['052', 'Bình Định', 1.49, '064'], ['054', 'Phú Yên', 0.87, '066'], ['056', 'Khánh Hòa', 1.23],
  ['058', 'Ninh Thuận', 0.59, '056'], ['060', 'Bình Thuận', 1.23, '068'], ['062', 'Kon Tum', 0.54, '051'], ['064', 'Gia Lai', 1.51],
  ['066', 'Đắk Lắk', 1.87], ['067', 'Đắk Nông', 0.62, '068'], ['068', 'Lâm Đồng', 1.30], ['070', 'Bình Phước', 0.99, '075'],
  ['072', 'Tây Ninh', 1.17], ['074', 'Bình Dương', 2.46, '079'], ['075', 'Đồng Nai', 3.10], ['077', 'Bà Rịa – Vũng Tàu', 1.15, '079'],
  ['079', 'Hồ Chí Minh', 8.99, undefined, 'city'], ['080', 'Long An', 1.69, '072'], ['082', 'Tiền Giang', 1.76, '087'],
  ['083', 'Bến Tre', 1.29, '086'], ['084', 'Trà Vinh', 1.01, '086'], ['086', 'Vĩnh Long', 1.02], ['087', 'Đồng Tháp', 1.60],
  ['089', 'An Giang', 1.91], ['091', 'Kiên Giang', 1.72, '089'], ['092', 'Cần Thơ', 1.24, undefined, 'city'],
  ['093', 'Hậu Giang', 0.73, '092'], ['094', 'Sóc Trăng', 1.20, '092'], ['095', 'Bạc Liêu', 0.91, '096'], ['096', 'Cà Mau', 1.19],
]

export const provinces: readonly Province[] = rows.map(([code, name, populationMillions, mergedInto, kind]) => ({
  code, name, populationMillions, mergedInto: mergedInto ?? code, kind: kind ?? 'province',
}))

/** Province index by numeric code (0–99), -1 where no province has that code. */
export const provinceIndexByCode: Int16Array = (() => {
  const table = new Int16Array(100).fill(-1)
  provinces.forEach((province, index) => { table[Number(province.code)] = index })
  return table
})()

export function provinceByCode (code: string): Province | undefined {
  const numeric = Number(code)
  if (!/^\d{3}$/.test(code) || numeric > 99) return undefined
  const index = provinceIndexByCode[numeric] as number
  return index < 0 ? undefined : provinces[index]
}

export type ProvinceView = '63' | '34'

function nameIn (province: Province, view: ProvinceView): string {
  const shown = view === '34' ? provinceByCode(province.mergedInto) ?? province : province
  return shown.kind === 'city' ? `Thành phố ${shown.name}` : `Tỉnh ${shown.name}`
}

/**
 * Both views' names of every province, built once: every generated address and record shows one.
 * Named fields rather than keys '63' and '34', which V8 would store as array elements.
 */
const shownNames = new Map<Province, { readonly before: string, readonly after: string }>(
  provinces.map((province) => [province, { before: nameIn(province, '63'), after: nameIn(province, '34') }]))

const namesBefore: readonly string[] = provinces.map((province) => nameIn(province, '63'))
const namesAfter: readonly string[] = provinces.map((province) => nameIn(province, '34'))

/** provinceName for the province at an index of `provinces`, without a lookup by object. */
export function provinceNameAt (provinceIndex: number, view: ProvinceView): string {
  return (view === '34' ? namesAfter : namesBefore)[provinceIndex] as string
}

/** The name to show for a province in the chosen administrative view. */
export function provinceName (province: Province, view: ProvinceView): string {
  const names = shownNames.get(province)
  if (names === undefined) return nameIn(province, view)
  return view === '34' ? names.after : names.before
}
