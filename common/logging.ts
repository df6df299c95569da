// Logger settings shared by every process: secrets are redacted and personal identifiers in URLs are
// masked before anything is written, because request URLs here routinely carry personal IDs.
import type { FastifyServerOptions } from 'fastify'

// Personal IDs (12 digits), social-insurance codes (10), health-card numbers (2 letters + 13 digits).
// A UUID is matched first and kept whole: its last group is all digits once in about 300 ids, and
// transaction ids (X-Road-Id, X-Road-Issue linking two exchanges) must survive masking intact.
const PERSONAL_NUMBER = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|(?<![\d])(?:[A-Z]{2}\d{13}|\d{12}|\d{10})(?![\d])/gi

/** Replaces every personal number in a text with a mask that keeps only its length visible. */
export function maskPersonalNumbers (text: string): string {
  return text.replace(PERSONAL_NUMBER, (match) => match.length === 36 ? match : `[${match.length}-digit id]`)
}

/** Percent-encoded digits (`%30%31…`) would slip past the mask: decode first, byte by byte where the whole fails. */
function decodedForMasking (url: string): string {
  if (!url.includes('%')) return url
  try {
    return decodeURIComponent(url)
  } catch {
    return url.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
      const code = Number.parseInt(hex, 16)
      return code < 0x80 ? String.fromCharCode(code) : escape
    })
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export function loggerOptions (level: LogLevel): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-road-userid"]', 'headers.authorization'], censor: '[redacted]' },
    serializers: {
      req (request: { method: string, url: string, ip?: string, headers?: Record<string, unknown> }) {
        const client = request.headers?.['x-road-client']
        return { method: request.method, url: maskPersonalNumbers(decodedForMasking(request.url)), remoteAddress: request.ip, client: typeof client === 'string' ? maskPersonalNumbers(client) : client }
      },
    },
  }
}
