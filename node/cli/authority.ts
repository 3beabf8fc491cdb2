import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import { LifelineError } from '../core/errors.ts'
import { parseDuration } from '../core/units.ts'
import { exists, writeFileAtomic } from '../identity/private-files.ts'
import {
  AUTHORITY_PUBLIC_FILE,
  AUTHORITY_SECRET_FILE,
  encodeAuthorityKey,
  generateAuthorityKey,
  parseAuthorityKey,
  readAuthoritySecret,
  writeAuthorityKey,
} from '../trust/authority-key.ts'
import { parseSignedRoster, type RosterBody, signRoster, verifyRoster } from '../trust/roster.ts'
import * as draft from '../trust/roster-draft.ts'
import { saveRosterAtomically } from '../trust/roster-file.ts'
import { formatRosterSummary } from '../trust/roster-summary.ts'

/**
 * Federation authority tooling. Commands are grouped (`lifeline authority init`,
 * `lifeline roster sign ...`); each also answers to a hidden flat name
 * (`authority-init`, `roster-sign`, ...) for scripts that prefer one word.
 */
export function authorityCommands(program: Command): void {
  const authority = program
    .command('authority')
    .description('manage the federation authority key that signs rosters')
  for (const [name, define] of Object.entries(AUTHORITY)) {
    define(authority.command(name))
    define(program.command(`authority-${name}`, { hidden: true }))
  }
  const roster = program
    .command('roster')
    .description('edit, sign and inspect the federation roster (members, services, who may call)')
    .addHelpText('after', ROSTER_WORKFLOW)
  for (const [name, define] of Object.entries(ROSTER)) {
    define(roster.command(name))
    define(program.command(`roster-${name}`, { hidden: true }))
  }
}

const ROSTER_WORKFLOW = `
Workflow:
  lifeline authority init --out authority/
  lifeline roster new --federation gov --out roster.yaml
  lifeline roster add-member roster.yaml --name ee/records --peer-id 12D3KooW... \\
      --encryption-key BASE64 --address /ip4/10.0.0.1/tcp/4001
  lifeline roster allow roster.yaml --member ee/records --service records --caller @health
  lifeline roster sign roster.yaml --key authority/authority.key --valid-for 30d --out roster.json
  lifeline roster inspect roster.json --authority-key BASE64`

type Define = (cmd: Command) => void

const collect = (value: string, previous: string[]): string[] => [...previous, value]

const AUTHORITY: Record<string, Define> = {
  init: (cmd) =>
    cmd
      .description('create the authority key pair; prints the public key gateways must trust')
      .requiredOption('--out <dir>', 'directory for authority.key (mode 0600) and authority.pub')
      .action(
        run(cmd, async (opts: { out: string }) => {
          const key = generateAuthorityKey()
          await writeAuthorityKey(opts.out, key)
          const pub = encodeAuthorityKey(key.publicKey)
          print(
            cmd,
            `authority secret: ${resolve(opts.out, AUTHORITY_SECRET_FILE)} (keep it offline)\n`,
          )
          print(cmd, `authority public key (authorityKey in every gateway config):\n${pub}\n`)
          print(cmd, `also written to ${resolve(opts.out, AUTHORITY_PUBLIC_FILE)}\n`)
        }),
      ),
}

const ROSTER: Record<string, Define> = {
  new: (cmd) =>
    cmd
      .description('start a roster draft (YAML) for a federation')
      .requiredOption('--federation <name>', 'federation name')
      .requiredOption('--out <file>', 'draft file to create')
      .option('--force', 'overwrite an existing draft', false)
      .action(
        run(cmd, async (opts: { federation: string; out: string; force: boolean }) => {
          if (!opts.force && (await exists(opts.out))) {
            throw new LifelineError('INVALID_CONFIG', `${opts.out} exists (use --force to replace)`)
          }
          await saveDraft(opts.out, draft.newDraft(opts.federation))
          print(cmd, `wrote draft ${opts.out}\n`)
        }),
      ),
  'add-member': (cmd) =>
    cmd
      .description('add a gateway to a roster draft')
      .argument('<draft>', 'roster draft file')
      .requiredOption('--name <name>', 'member name, such as ee/gov/70000001/records')
      .requiredOption('--peer-id <id>', 'the gateway peer id (printed by lifeline init)')
      .requiredOption('--encryption-key <base64>', 'the gateway X25519 sealing public key')
      .option('--address <multiaddr>', 'where to dial it (repeatable)', collect, [])
      .option('--replace', 'update an existing member, keeping its services', false)
      .action(
        run(cmd, async (file: string, opts: MemberOptions) => {
          const member = {
            name: opts.name,
            peerId: opts.peerId,
            encryptionKey: opts.encryptionKey,
            addresses: opts.address,
          }
          await saveDraft(file, draft.addMember(await loadDraft(file), member, opts.replace))
          print(cmd, `${opts.replace ? 'updated' : 'added'} ${opts.name} in ${file}\n`)
        }),
      ),
  allow: (cmd) =>
    cmd
      .description('let callers use a service of a member (creates the service)')
      .argument('<draft>', 'roster draft file')
      .requiredOption('--member <name>', 'member offering the service')
      .requiredOption('--service <name>', 'service name')
      .requiredOption('--caller <who>', 'member name, @group or * (repeatable)', collect, [])
      .action(
        run(cmd, async (file: string, opts: AllowOptions) => {
          const next = draft.allowCallers(
            await loadDraft(file),
            opts.member,
            opts.service,
            opts.caller,
          )
          await saveDraft(file, next)
          print(cmd, `${opts.caller.join(', ')} may call ${opts.member} ${opts.service}\n`)
        }),
      ),
  group: (cmd) =>
    cmd
      .description('define a group of members (replaces its member list)')
      .argument('<draft>', 'roster draft file')
      .requiredOption('--name <group>', 'group name, referred to as @name')
      .option('--member <name>', 'member of the group (repeatable)', collect, [])
      .action(
        run(cmd, async (file: string, opts: { name: string; member: string[] }) => {
          await saveDraft(file, draft.setGroup(await loadDraft(file), opts.name, opts.member))
          print(cmd, `@${opts.name}: ${opts.member.join(', ') || '(empty)'}\n`)
        }),
      ),
  sign: (cmd) =>
    cmd
      .description('sign a draft into the roster file gateways load')
      .argument('<draft>', 'roster draft file')
      .requiredOption('--key <file>', 'authority secret key file (mode 0600)')
      .requiredOption('--out <file>', 'signed roster to write (JSON)')
      .option('--valid-for <duration>', 'validity window, such as 30d or 12h', '30d')
      .option('--version <n>', 'roster version (default: previous version + 1)', parseVersion)
      .option('--previous <file>', 'previous signed roster (default: --out when it exists)')
      .action(
        run(cmd, async (file: string, opts: SignOptions) => {
          const body = await loadDraft(file)
          const version = await nextVersion(opts, body.federation)
          const doc = draft.draftToDocument(body, {
            version,
            issuedAt: Date.now(),
            validForMs: parseDurationOption(opts.validFor),
          })
          const key = await readAuthoritySecret(opts.key)
          await saveRosterAtomically(opts.out, signRoster(doc, key.secretKey))
          print(
            cmd,
            `signed ${doc.federation} v${version}, valid until ${doc.validUntil}: ${opts.out}\n`,
          )
        }),
      ),
  inspect: (cmd) =>
    cmd
      .description('summarise a signed roster; verifies it when the authority key is given')
      .argument('<file>', 'signed roster file')
      .option('--authority-key <base64>', 'authority public key to verify the signature with')
      .option('--grace <duration>', 'grace period used to describe an expired roster', '7d')
      .action(
        run(cmd, async (file: string, opts: { authorityKey?: string; grace: string }) => {
          const text = await readFile(file, 'utf8')
          let signature = 'NOT VERIFIED (give --authority-key to check it)'
          if (opts.authorityKey !== undefined) {
            verifyRoster(text, parseAuthorityKey(opts.authorityKey))
            signature = 'verified with the authority key'
          }
          const summary = formatRosterSummary(parseSignedRoster(text), {
            now: Date.now(),
            signature,
            graceMs: parseDurationOption(opts.grace),
          })
          print(cmd, summary)
        }),
      ),
}

interface MemberOptions {
  name: string
  peerId: string
  encryptionKey: string
  address: string[]
  replace: boolean
}

interface AllowOptions {
  member: string
  service: string
  caller: string[]
}

interface SignOptions {
  key: string
  out: string
  validFor: string
  version?: number
  previous?: string
}

/** The given version, else one more than the previous signed roster's, else 1. */
async function nextVersion(opts: SignOptions, federation: string): Promise<number> {
  const previousFile = opts.previous ?? ((await exists(opts.out)) ? opts.out : undefined)
  if (previousFile === undefined) return opts.version ?? 1
  const previous = parseSignedRoster(await readFile(previousFile)).roster
  if (previous.federation !== federation) {
    throw new LifelineError(
      'INVALID_CONFIG',
      `${previousFile} belongs to federation ${previous.federation}, the draft to ${federation}`,
    )
  }
  if (opts.version !== undefined && opts.version <= previous.version) {
    throw new LifelineError(
      'INVALID_CONFIG',
      `--version ${opts.version} is not above ${previous.version} in ${previousFile}; ` +
        'gateways would ignore it',
    )
  }
  return opts.version ?? previous.version + 1
}

async function loadDraft(file: string): Promise<RosterBody> {
  return draft.parseDraft(await readFile(file, 'utf8'), file)
}

async function saveDraft(file: string, body: RosterBody): Promise<void> {
  await writeFileAtomic(file, draft.encodeDraft(body), { mode: 0o644 })
}

function parseVersion(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer')
  return n
}

function parseDurationOption(value: string): number {
  try {
    return parseDuration(value)
  } catch (err) {
    throw new LifelineError('INVALID_CONFIG', (err as Error).message)
  }
}

function print(cmd: Command, text: string): void {
  const write = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s))
  write(text)
}

/** Runs an action; an expected failure becomes a one-line error and exit status 1. */
// biome-ignore lint/suspicious/noExplicitAny: commander passes positional arguments untyped
function run<A extends any[]>(cmd: Command, action: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args)
    } catch (err) {
      // File system errors (missing draft, unreadable key) are the operator's to fix, not bugs.
      const code = err instanceof LifelineError ? err.code : (err as NodeJS.ErrnoException).code
      if (code === undefined || !(err instanceof Error)) throw err
      cmd.error(`error: ${err.message}`, { code, exitCode: 1 })
    }
  }
}
