// The land database service `certificates`: a certificate of land-use rights (GCN) by its serial.
import { viewQuerySchema } from '../../../contracts/common-records.js'
import { NdxpError, problemSchema } from '../../../contracts/errors.js'
import { certificateParamsSchema, certificateSchema } from '../../../contracts/land.js'
import type { NodeService } from '../../service.js'
import { certificateRecord, findCertificate } from './records.js'

const config = { service: 'certificates' }
const errors = { 400: problemSchema, 404: problemSchema }

export const certificatesService: NodeService = {
  code: 'certificates',
  title: 'Land database (cơ sở dữ liệu đất đai): certificates of land-use rights',
  register (app, context) {
    app.get('/certificates/:serial', {
      config,
      schema: {
        summary: 'Look up a land-use right certificate (Giấy chứng nhận) by serial, with its holder and parcel',
        params: certificateParamsSchema,
        querystring: viewQuerySchema,
        response: { 200: certificateSchema, ...errors },
      },
    }, (request) => {
      const found = findCertificate(context.dataset, request.params.serial)
      if (found === undefined) throw new NdxpError('client.not_found', `No certificate has serial ${request.params.serial}.`)
      return certificateRecord(context.dataset, found, request.query.view)
    })
  },
}
