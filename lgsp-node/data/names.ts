// Vocabulary for plausible Vietnamese records: family names with their real frequencies, middle and
// given names by gender, the largest ethnic groups, religions, and words that make up place names.
import { WeightedTable } from './hash.js'

export const familyNames = new WeightedTable<string>([
  ['Nguyễn', 38.4], ['Trần', 12.1], ['Lê', 9.5], ['Phạm', 7.0], ['Hoàng', 4.0], ['Huỳnh', 1.1], ['Phan', 4.5],
  ['Vũ', 2.3], ['Võ', 1.6], ['Đặng', 2.1], ['Bùi', 2.0], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1.0],
  ['Lý', 0.5], ['Đào', 0.6], ['Đoàn', 0.6], ['Vương', 0.3], ['Trịnh', 0.5], ['Trương', 0.6], ['Lâm', 0.3],
  ['Phùng', 0.2], ['Mai', 0.4], ['Tô', 0.2], ['Hà', 0.5], ['Tạ', 0.2], ['Lương', 0.4], ['Cao', 0.3], ['Đinh', 0.5],
  ['Thái', 0.2], ['Châu', 0.2], ['Quách', 0.1], ['Kiều', 0.1], ['Lưu', 0.3], ['Tăng', 0.1], ['Triệu', 0.2],
])

export const maleMiddleNames = new WeightedTable<string>([
  ['Văn', 40], ['Đức', 10], ['Minh', 10], ['Quang', 7], ['Hữu', 7], ['Thanh', 5], ['Công', 5], ['Xuân', 4],
  ['Trung', 3], ['Ngọc', 3], ['Quốc', 4], ['Tuấn', 2], ['Gia', 3], ['Hoàng', 3], ['Anh', 2], ['Thế', 3],
])

export const femaleMiddleNames = new WeightedTable<string>([
  ['Thị', 50], ['Ngọc', 9], ['Thu', 5], ['Thanh', 5], ['Minh', 4], ['Kim', 4], ['Phương', 4], ['Hồng', 4],
  ['Thúy', 3], ['Bảo', 3], ['Khánh', 3], ['Mai', 3], ['Diệu', 2], ['Quỳnh', 2], ['Hoài', 2], ['Tuyết', 2],
])

export const maleGivenNames: readonly string[] = [
  'An', 'Anh', 'Bảo', 'Bình', 'Cường', 'Dũng', 'Duy', 'Đạt', 'Đông', 'Giang', 'Hải', 'Hào', 'Hiếu', 'Hòa', 'Hoàng',
  'Hùng', 'Huy', 'Khang', 'Khánh', 'Khoa', 'Kiên', 'Lâm', 'Long', 'Lộc', 'Mạnh', 'Minh', 'Nam', 'Nghĩa', 'Nhân',
  'Phong', 'Phúc', 'Quân', 'Quang', 'Sơn', 'Tài', 'Tâm', 'Thắng', 'Thành', 'Thịnh', 'Toàn', 'Trí', 'Trung', 'Tuấn',
  'Tùng', 'Việt', 'Vinh', 'Vũ', 'Hưng', 'Lợi', 'Phát', 'Tiến', 'Thái', 'Hậu', 'Quý', 'Đức', 'Chiến', 'Công', 'Tú',
]

export const femaleGivenNames: readonly string[] = [
  'An', 'Anh', 'Châu', 'Chi', 'Dung', 'Dương', 'Giang', 'Hà', 'Hằng', 'Hạnh', 'Hiền', 'Hoa', 'Hòa', 'Hồng', 'Hương',
  'Huyền', 'Lan', 'Liên', 'Linh', 'Loan', 'Ly', 'Mai', 'My', 'Nga', 'Ngân', 'Ngọc', 'Nhung', 'Nhi', 'Oanh', 'Phương',
  'Quyên', 'Quỳnh', 'Tâm', 'Thảo', 'Thơ', 'Thủy', 'Thư', 'Trang', 'Trâm', 'Tuyết', 'Uyên', 'Vân', 'Vy', 'Xuân',
  'Yến', 'Hậu', 'Diệp', 'Khánh', 'Nhàn', 'Thu', 'Thoa', 'Trinh', 'Vi', 'Hân', 'Tiên', 'Ánh', 'Duyên', 'Lụa',
]

/** The 54 groups are recognised; the fifteen largest (2019 census shares, %) cover over 98%. */
export const ethnicities = new WeightedTable<string>([
  ['Kinh', 85.3], ['Tày', 1.9], ['Thái', 1.9], ['Mường', 1.5], ['Hmông', 1.5], ['Khmer', 1.4], ['Nùng', 1.1],
  ['Dao', 0.9], ['Hoa', 0.8], ['Gia Rai', 0.5], ['Ê Đê', 0.4], ['Ba Na', 0.3], ['Sán Chay', 0.2], ['Chăm', 0.2],
  ['Cơ Ho', 0.2], ['Xơ Đăng', 0.2], ['Sán Dìu', 0.2],
])

export const religions = new WeightedTable<string>([
  ['Không', 86.3], ['Công giáo', 6.1], ['Phật giáo', 4.8], ['Tin lành', 1.0], ['Phật giáo Hòa Hảo', 1.0],
  ['Cao Đài', 0.6], ['Hồi giáo', 0.1], ['Khác', 0.1],
])

/** Syllables that Vietnamese commune, ward and village names are commonly made of. */
export const placeWords: readonly string[] = [
  'An', 'Bình', 'Hòa', 'Phú', 'Tân', 'Thành', 'Long', 'Phước', 'Hưng', 'Thạnh', 'Đông', 'Tây', 'Nam', 'Bắc',
  'Trung', 'Quang', 'Minh', 'Hải', 'Sơn', 'Lộc', 'Thịnh', 'Vĩnh', 'Khánh', 'Hiệp', 'Lợi', 'Mỹ', 'Nghĩa', 'Đức',
  'Xuân', 'Thuận', 'Yên', 'Cát', 'Lạc', 'Định', 'Thủy', 'Kim', 'Hồng', 'Tiến', 'Phong', 'Thái',
]

export const streetNames: readonly string[] = [
  'Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Quang Trung', 'Nguyễn Huệ',
  'Lê Duẩn', 'Hùng Vương', 'Phan Chu Trinh', 'Điện Biên Phủ', 'Trường Chinh', 'Nguyễn Du', 'Bà Triệu',
  'Võ Thị Sáu', 'Cách Mạng Tháng Tám', 'Nguyễn Văn Cừ', 'Lê Thánh Tông', 'Hoàng Diệu', 'Ngô Quyền',
]
