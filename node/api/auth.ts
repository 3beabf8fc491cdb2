import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { LifelineError } from '../core/errors.ts'

export interface ApiToken {
  client: string
  sha256: string
}

/** Hex SHA-256 of a bearer token, the form kept in config. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Bearer-token check. Tokens are stored hashed, so a leaked config does not
 * leak credentials; comparison is constant-time. Returns the client name.
 */
export function authenticate(req: FastifyRequest, tokens: ApiToken[]): string | undefined {
  if (tokens.length === 0) return undefined
  const header = req.headers.authorization
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header)
  if (match === null) {
    throw new LifelineError('UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <token>)')
  }
  const presented = Buffer.from(hashToken(match[1]!), 'hex')
  for (const token of tokens) {
    const known = Buffer.from(token.sha256, 'hex')
    if (known.length === presented.length && timingSafeEqual(known, presented)) return token.client
  }
  throw new LifelineError('UNAUTHORIZED', 'unknown bearer token')
}
