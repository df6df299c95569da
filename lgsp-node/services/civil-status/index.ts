// The civil-status database (hộ tịch, Ministry of Justice) as node services: `civil-records` reads,
// `births` registers a birth, and key sources enumerate existing registration numbers.
export { birthsService, createBirthsService, registerBirth, type BirthsServiceOptions, type PersonalIdIssuer, type PersonalIdRequest } from './births.js'
export { civilStatusKeySources } from './key-sources.js'
export { civilRecordsService, findCivilRecord } from './records.js'
