// How the civil-status node obtains a newborn's personal ID: through the hub, as the Ministry of
// Justice's own client with its own key and grant — so one birth registration makes two exchanges
// in the hub's log, the inner one carrying the outer X-Road-Id as its X-Road-Issue.
import { request } from 'undici'
import { NdxpError } from '../contracts/errors.js'
import { RegistrationNumberTaken, type PersonalIdIssuer } from './services/civil-status/births.js'

export interface HubIssuerOptions {
  readonly hubUrl: string
  readonly apiKey: string
  /** The civil-status system's client subsystem. */
  readonly client: string
  /** The population service that issues IDs. */
  readonly service: string
  readonly timeoutMs: number
}

export function hubPersonalIdIssuer (options: HubIssuerOptions): PersonalIdIssuer {
  return async (birth, link) => {
    const response = await request(`${options.hubUrl}/r1/${options.service}/newborns`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        'x-road-client': options.client,
        'content-type': 'application/json',
        'x-road-issue': link.messageId ?? birth.birthRegistrationNumber,
      },
      body: JSON.stringify(birth),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    })
    const body = await response.body.json().catch(() => undefined) as { personalId?: string, type?: string, detail?: string } | undefined
    if ((response.statusCode === 200 || response.statusCode === 201) && typeof body?.personalId === 'string') return { personalId: body.personalId }
    // Population's own 409 (not a hub error): that number is bound to another child.
    if (response.statusCode === 409 && body?.type === 'client.conflict' && response.headers['x-road-error'] === undefined) throw new RegistrationNumberTaken(birth.birthRegistrationNumber)
    const why = body?.type === undefined ? `status ${response.statusCode}` : `${response.statusCode} ${body.type}: ${body.detail ?? ''}`
    throw new NdxpError('server.provider_unreachable', `the population database did not issue a personal ID through the hub (${why})`)
  }
}
