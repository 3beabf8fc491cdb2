import { z } from 'zod'
import { PRIORITIES } from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'
import { parseDuration } from '../core/units.ts'

const duration = z.union([z.string(), z.number().int().positive()]).transform((value, ctx) => {
  try {
    return parseDuration(value)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
})

const submitFields = {
  /** Roster name of the destination gateway. */
  to: z.string().min(1).max(128),
  /** Service at the destination. */
  service: z.string().min(1).max(128),
  /** Base64 of the payload bytes. */
  payload: z.base64().optional(),
  /** The payload as UTF-8 text, for convenience. */
  text: z.string().optional(),
  priority: z.enum(PRIORITIES).default('normal'),
  /** Time-to-live, e.g. `30s`, `24h`, or milliseconds. */
  ttl: duration.optional(),
}

const onePayload: [
  (b: { payload?: string | undefined; text?: string | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (b) => (b.payload === undefined) !== (b.text === undefined),
  { message: 'give exactly one of payload (base64) or text', path: ['payload'] },
]

/** Body of `POST /v1/messages`: exactly one of `payload` (base64) or `text` (UTF-8). */
export const submitBody = z.strictObject(submitFields).refine(...onePayload)

/** Longest a synchronous caller may wait; beyond it, submit and poll the status instead. */
export const MAX_CALL_DEADLINE_MS = 10 * 60_000

/** Body of `POST /v1/calls`: a submission plus how long the caller waits for the reply. */
export const callBody = z
  .strictObject({
    ...submitFields,
    /** How long to wait for the reply, e.g. `5s`; at most 10 minutes. */
    deadline: duration.default(30_000).refine((ms) => ms >= 1 && ms <= MAX_CALL_DEADLINE_MS, {
      message: `must be between 1 ms and ${MAX_CALL_DEADLINE_MS / 60_000} minutes`,
    }),
  })
  .refine(...onePayload)
  .transform(({ deadline, ...rest }) => ({ ...rest, deadlineMs: deadline }))

export type SubmitBody = z.output<typeof submitBody>

export const messageIdParam = z.strictObject({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a 26-character message id'),
})

/** Parses `input` or throws BAD_REQUEST naming every bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
  throw new LifelineError('BAD_REQUEST', problems.join('; '), { details: { problems } })
}

export function payloadBytes(body: SubmitBody): Uint8Array {
  return body.payload !== undefined
    ? Buffer.from(body.payload, 'base64')
    : Buffer.from(body.text ?? '', 'utf8')
}
