/**
 * Named errors with stable codes. The local API returns `code` to clients and
 * tests assert on it, so a code, once published, never changes meaning.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNKNOWN_DESTINATION: 422,
  UNKNOWN_SERVICE: 422,
  NOT_FOUND: 404,
  STORE_FULL: 507,
  SHUTTING_DOWN: 503,
  ROSTER_EXPIRED: 503,
  CALL_TIMEOUT: 504,
  NOT_READY: 503,
  INVALID_CONFIG: 500,
  INVALID_SCENARIO: 400,
  CORRUPT_RECORD: 500,
  DECODE_FAILED: 400,
  BAD_SIGNATURE: 403,
  REPLAYED: 409,
  EXPIRED: 410,
  HOP_LIMIT: 508,
  DECRYPT_FAILED: 400,
  INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** An error the gateway expects and can explain: carries a stable code and an HTTP status. */
export class LifelineError extends Error {
  override name = 'LifelineError'
  readonly code: ErrorCode
  readonly status: number
  readonly details: Record<string, unknown> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = ERROR_CODES[code]
    this.details = options?.details
  }

  toJSON(): { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } {
    const body: { code: ErrorCode; message: string; details?: Record<string, unknown> } = {
      code: this.code,
      message: this.message,
    }
    if (this.details !== undefined) body.details = this.details
    return { error: body }
  }
}

export function isLifelineError(err: unknown, code?: ErrorCode): err is LifelineError {
  return err instanceof LifelineError && (code === undefined || err.code === code)
}
