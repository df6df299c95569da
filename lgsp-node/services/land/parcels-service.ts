// The land database service `parcels`: a cadastral parcel by commune, map sheet and parcel number,
// and the parcels a citizen holds.
import { viewQuerySchema } from '../../../contracts/common-records.js'
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { holderParamsSchema, parcelParamsSchema, parcelSchema, parcelsByHolderSchema } from '../../../contracts/land.js'
import type { NodeService } from '../../service.js'
import { findParcel, parcelNotFoundDetail, parcelRecord, parcelsOfHolder } from './records.js'

const config = { service: 'parcels' }
const errors = { 400: problemSchema, 404: problemSchema }

export const parcelsService: NodeService = {
  code: 'parcels',
  title: 'Land database (cơ sở dữ liệu đất đai): cadastral parcels',
  register (app, context) {
    app.get('/parcels/by-holder/:personalId', {
      config,
      schema: {
        summary: 'Parcels held in a citizen\'s name (an empty list when they hold none)',
        params: holderParamsSchema,
        querystring: viewQuerySchema,
        response: { 200: parcelsByHolderSchema, ...errors },
      },
    }, (request) => {
      const found = parcelsOfHolder(context.dataset, request.params.personalId)
      if (found === undefined) throw new NdxpError('client.not_found', 'No citizen has this personal ID.')
      const view = request.query.view
      return {
        personalId: found.citizen.personalId,
        fullName: found.citizen.fullName,
        parcels: found.parcels.map((facts) => parcelRecord(context.dataset, facts, view)),
      }
    })

    app.get('/parcels/:communeCode/:sheet/:parcel', {
      config,
      schema: {
        summary: 'Look up a cadastral parcel by commune code, map sheet (tờ bản đồ) and parcel number (số thửa)',
        params: parcelParamsSchema,
        querystring: viewQuerySchema,
        response: { 200: parcelSchema, ...errors },
      },
    }, (request) => {
      const { communeCode, sheet, parcel } = request.params
      const facts = findParcel(context.dataset, communeCode, sheet, parcel)
      if (facts === undefined) throw new NdxpError('client.not_found', parcelNotFoundDetail(context.dataset, communeCode, sheet))
      return parcelRecord(context.dataset, facts, request.query.view)
    })
  },
}
