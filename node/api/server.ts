import Fastify, { type FastifyError, LogController } from 'fastify'
import { isLifelineError, LifelineError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { Submission } from '../delivery/outbox.ts'
import type { StatusRecord, StoredReply } from '../store/types.ts'
import { type ApiToken, authenticate } from './auth.ts'
import { callBody, messageIdParam, parseInput, payloadBytes, submitBody } from './schemas.ts'

/** What the local API asks of the gateway. */
export interface ApiBackend {
  submit(sub: Submission): Promise<StatusRecord>
  status(id: string): Promise<StatusRecord | undefined>
  /** Resolves with the reply, or undefined when the deadline passed first. */
  call(sub: Submission, deadlineMs: number): Promise<{ id: string; reply?: StoredReply }>
  healthy(): boolean
  readiness(): { ready: boolean; checks: Record<string, unknown> }
  metrics(): Promise<{ contentType: string; body: string }>
  views: Record<'peers' | 'links' | 'routes' | 'queues', () => unknown>
}

export interface ApiOptions {
  backend: ApiBackend
  tokens: ApiToken[]
  maxPayload: number
  logger: Logger
}

/** Fastify's own error codes, mapped onto the gateway's stable ones. */
const FASTIFY_CODES: Record<string, LifelineError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
}

function toLifelineError(err: FastifyError): LifelineError {
  if (isLifelineError(err)) return err
  const code = err.code === undefined ? undefined : FASTIFY_CODES[err.code]
  if (code !== undefined) return new LifelineError(code, err.message)
  if (err instanceof SyntaxError)
    return new LifelineError('INVALID_JSON', `malformed JSON: ${err.message}`)
  if (err.statusCode !== undefined && err.statusCode < 500) {
    return new LifelineError('BAD_REQUEST', err.message)
  }
  return new LifelineError('INTERNAL', 'internal error', { cause: err })
}

/** The agency-side HTTP API: submit, status, synchronous call, health and operator views. */
export function buildApi(options: ApiOptions) {
  const { backend } = options
  // Base64 grows a payload by 4/3; the envelope fields need a little more.
  const bodyLimit = Math.ceil((options.maxPayload * 4) / 3) + 64 * 1024
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit,
    // One line per request would drown the lines operators need; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests Node's own HTTP parser rejects (bad framing, oversized headers) get the
    // same JSON error shape as every other refusal.
    clientErrorHandler: (err, socket) => {
      const tooLarge = (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW'
      const [status, reason] = tooLarge
        ? [431, 'Request Header Fields Too Large']
        : [400, 'Bad Request']
      const body = JSON.stringify(
        new LifelineError('BAD_REQUEST', `malformed HTTP request: ${err.message}`).toJSON(),
      )
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        )
      } else socket.destroy()
    },
  })

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toLifelineError(err)
    if (e.status >= 500 && e.code === 'INTERNAL') req.log.error({ err }, 'request failed')
    void reply.code(e.status).send(e.toJSON())
  })
  app.setNotFoundHandler((req, reply) => {
    const e = new LifelineError('NOT_FOUND', `no route ${req.method} ${req.url}`)
    void reply.code(e.status).send(e.toJSON())
  })
  app.addHook('onRequest', async (req) => {
    // Judge the route the router matched, not the raw URL: `/%761/messages` routes to
    // `/v1/messages` but does not start with `/v1/`.
    const path = req.routeOptions.url ?? req.url
    if (path.startsWith('/v1/')) authenticate(req, options.tokens)
  })
  app.addHook('preValidation', async (req) => {
    const type = req.headers['content-type']?.toLowerCase()
    if (req.method === 'POST' && !type?.startsWith('application/json')) {
      throw new LifelineError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
    }
  })

  app.post('/v1/messages', async (req, reply) => {
    const body = parseInput(submitBody, req.body)
    const record = await backend.submit(toSubmission(body))
    return reply
      .code(202)
      .send({ id: record.id, status: record.status, expiresAt: record.expiresAt })
  })

  app.get('/v1/messages/:id', async (req) => {
    const { id } = parseInput(messageIdParam, req.params)
    const record = await backend.status(id)
    if (record === undefined)
      throw new LifelineError('NOT_FOUND', `no message ${id} sent from here`)
    return record
  })

  app.get('/v1/messages/:id/reply', async (req) => {
    const { id } = parseInput(messageIdParam, req.params)
    const record = await backend.status(id)
    if (record === undefined)
      throw new LifelineError('NOT_FOUND', `no message ${id} sent from here`)
    if (record.reply === undefined) {
      throw new LifelineError('NOT_FOUND', `no reply to ${id} yet (status ${record.status})`, {
        details: { id, status: record.status },
      })
    }
    return { id, status: record.status, reply: record.reply }
  })

  app.post('/v1/calls', async (req, reply) => {
    const body = parseInput(callBody, req.body)
    const result = await backend.call({ ...toSubmission(body), expectReply: true }, body.deadlineMs)
    if (result.reply === undefined) {
      const e = new LifelineError(
        'CALL_TIMEOUT',
        `no reply within ${body.deadlineMs} ms; the request stays in custody and its reply ` +
          `will be at /v1/messages/${result.id}/reply`,
        { details: { id: result.id } },
      )
      return reply.code(e.status).send(e.toJSON())
    }
    return { id: result.id, reply: result.reply }
  })

  app.get('/healthz', async (_req, reply) => {
    const ok = backend.healthy()
    return reply.code(ok ? 200 : 503).send({ ok })
  })
  app.get('/readyz', async (_req, reply) => {
    const state = backend.readiness()
    return reply.code(state.ready ? 200 : 503).send(state)
  })
  app.get('/metrics', async (_req, reply) => {
    const m = await backend.metrics()
    return reply.type(m.contentType).send(m.body)
  })
  for (const view of ['peers', 'links', 'routes', 'queues'] as const) {
    app.get(`/v1/${view}`, async () => backend.views[view]())
  }
  return app
}

function toSubmission(body: ReturnType<typeof submitBody.parse>): Submission {
  return {
    to: body.to,
    service: body.service,
    payload: payloadBytes(body),
    priority: body.priority,
    ...(body.ttl === undefined ? {} : { ttlMs: body.ttl }),
  }
}
