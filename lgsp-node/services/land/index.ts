// The land node's services (`parcels`, `certificates`) and the keys it can enumerate for load tests.
import { communeAt } from '../../data/communes.js'
import { landIndex } from '../../data/land-index.js'
import { parcelFacts } from '../../data/land-parcels.js'
import type { KeySource, NodeContext } from '../../service.js'

export { parcelsService } from './parcels-service.js'
export { certificatesService } from './certificates-service.js'

/** Parcel keys (`communeCode/sheet/parcel`) and certificate serials, both by global parcel index. */
export function landKeySources (context: Pick<NodeContext, 'dataset'>): KeySource[] {
  const { dataset } = context
  const land = landIndex(dataset)
  return [
    {
      name: 'parcels',
      size: land.size,
      keyAt: (index) => {
        const key = land.keyAt(index)
        return `${communeAt(key.communeIndex, dataset.seed).code}/${key.sheet}/${key.parcel}`
      },
    },
    {
      name: 'certificates',
      size: land.size,
      // Roads, canals and unregistered land have none: the serial is that of the next certified parcel.
      keyAt: (index) => {
        for (let offset = 0; ; offset++) {
          const facts = parcelFacts(dataset, land, (index + offset) % land.size)
          if (facts.certificate !== undefined) return facts.certificate.serial
        }
      },
    },
  ]
}
