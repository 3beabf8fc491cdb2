import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { LifelineError } from '../core/errors.ts'
import {
  checkReferences,
  parseOrThrow,
  type RosterBody,
  type RosterDocument,
  type RosterMember,
  rosterBodySchema,
} from './roster-schema.ts'

/**
 * A roster draft is the unsigned YAML an authority edits between signatures:
 * federation, members and groups. Version and validity are set when it is signed.
 */
const draftSchema = rosterBodySchema.superRefine(checkReferences)

export function newDraft(federation: string): RosterBody {
  return parseOrThrow(
    draftSchema,
    { federation, members: [], groups: {} },
    'roster draft',
    'INVALID_CONFIG',
  )
}

/** Parses draft YAML; `INVALID_CONFIG` names each bad field by its path. */
export function parseDraft(text: string, source = 'roster draft'): RosterBody {
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (err) {
    throw new LifelineError('INVALID_CONFIG', `${source}: not valid YAML`, { cause: err })
  }
  return parseOrThrow(draftSchema, raw, source, 'INVALID_CONFIG')
}

export function encodeDraft(draft: RosterBody): string {
  return stringifyYaml(draft)
}

/** Adds a member; with `replace`, an existing member of that name keeps its services. */
export function addMember(
  draft: RosterBody,
  member: Omit<RosterMember, 'services'>,
  replace = false,
): RosterBody {
  const existing = draft.members.find((m) => m.name === member.name)
  if (existing !== undefined && !replace) {
    throw new LifelineError('INVALID_CONFIG', `${member.name} is already a member (use --replace)`)
  }
  const entry: RosterMember = { ...member, services: existing?.services ?? [] }
  const members =
    existing === undefined
      ? [...draft.members, entry]
      : draft.members.map((m) => (m === existing ? entry : m))
  return validated({ ...draft, members })
}

/** Lets `callers` (member names, `@group`, `*`) call `service` at `member`, creating the service. */
export function allowCallers(
  draft: RosterBody,
  member: string,
  service: string,
  callers: string[],
): RosterBody {
  const target = draft.members.find((m) => m.name === member)
  if (target === undefined) throw new LifelineError('INVALID_CONFIG', `no member named ${member}`)
  const current = target.services.find((s) => s.name === service)
  const allow = [...new Set([...(current?.allow ?? []), ...callers])]
  const services =
    current === undefined
      ? [...target.services, { name: service, allow }]
      : target.services.map((s) => (s === current ? { name: service, allow } : s))
  const members = draft.members.map((m) => (m === target ? { ...m, services } : m))
  return validated({ ...draft, members })
}

/** Sets (replaces) the member list of a group. */
export function setGroup(draft: RosterBody, group: string, members: string[]): RosterBody {
  return validated({ ...draft, groups: { ...draft.groups, [group]: [...new Set(members)] } })
}

/** The document to sign: the draft plus version and validity window. */
export function draftToDocument(
  draft: RosterBody,
  at: { version: number; issuedAt: number; validForMs: number },
): RosterDocument {
  return {
    federation: draft.federation,
    version: at.version,
    issuedAt: new Date(at.issuedAt).toISOString(),
    validUntil: new Date(at.issuedAt + at.validForMs).toISOString(),
    members: draft.members,
    groups: draft.groups,
  }
}

function validated(draft: RosterBody): RosterBody {
  return parseOrThrow(draftSchema, draft, 'roster draft', 'INVALID_CONFIG')
}
