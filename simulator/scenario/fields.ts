import { z } from 'zod'
import {
  parseBandwidth,
  parseDuration,
  parseRate,
  parseRatio,
  parseSize,
} from '../../node/core/units.ts'

/**
 * Zod building blocks for scenario fields: strict objects that name the fields
 * they accept, and unit-bearing values converted to base units while parsing.
 * Every message here reads as "expected ..." because the loader prints it after
 * the file and the path of the bad field.
 */

/** A strict object whose unknown-field error lists the fields it does accept. */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown field; expected one of: ${known}` : undefined,
  })
}

function unitValue(parse: (input: string | number) => number, example: string) {
  return z
    .union([z.string(), z.number()], { error: `expected a value such as ${example}` })
    .transform((value, ctx) => {
      try {
        return parse(value)
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `expected a value such as ${example}, got ${value}`,
        })
        return z.NEVER
      }
    })
}

/** A duration such as `250ms`, `10s`, `2m`; milliseconds. */
export const duration = unitValue(parseDuration, '250ms, 10s or 2m')

/**
 * A point in drill time such as `10s`; milliseconds since the drill started.
 * Negative times get their own message: a fault before time zero cannot happen.
 */
export const time = z
  .union([z.string(), z.number()], { error: 'expected a time such as 10s' })
  .transform((value, ctx) => {
    if (typeof value === 'number' ? value < 0 : value.trim().startsWith('-')) {
      ctx.addIssue({ code: 'custom', message: `expected a time at or after 0s, got ${value}` })
      return z.NEVER
    }
    try {
      return parseDuration(value)
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a time such as 10s or 2m, got ${value}` })
      return z.NEVER
    }
  })

/** A size such as `512B`, `1KiB`, `1MiB`; bytes. */
export const size = unitValue(parseSize, '512B, 1KiB or 1MiB')

/** A rate such as `50/s`; events per second. */
export const rate = unitValue(parseRate, '50/s or 3/m')

/** A bandwidth such as `2Mbps`; bits per second. */
export const bandwidth = unitValue(parseBandwidth, '2Mbps or 512kbps')

/** A ratio such as `1%`; a fraction in [0, 1]. */
export const ratio = unitValue(parseRatio, '1% or 0.5%')

/** Node, link and cable names: also used in file names and metric labels by the runner. */
export const name = z
  .string({ error: 'expected a name such as taipei' })
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'expected a name of letters, digits, ".", "_" or "-" (at most 128), such as taipei',
  )

/** A non-negative whole number of messages. */
export const count = z
  .number({ error: 'expected a whole number such as 0' })
  .int('expected a whole number such as 0')
  .min(0, 'expected a whole number >= 0')
