import { randomBytes } from 'node:crypto'
import { access, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { hashToken } from '../api/auth.ts'
import { loadConfig } from '../config/load.ts'
import { memberName } from '../config/schema.ts'
import { isLifelineError } from '../core/errors.ts'
import { createLogger } from '../core/log.ts'
import { Gateway } from '../gateway/gateway.ts'
import { createIdentity, identityPublicInfo } from '../identity/keys.ts'
import { starterConfig } from './starter-config.ts'

export function initCommand(program: Command): void {
  program
    .command('init')
    .description('create a gateway identity and a commented starter config in a data directory')
    .requiredOption('--dir <dir>', 'data directory to create')
    .requiredOption('--name <name>', "this gateway's roster name, e.g. ee/gov/70000001/records")
    .option('--authority-key <base64>', "the federation authority's public key", 'REPLACE-ME')
    .option('--api-port <port>', 'local API port', '8080')
    .option('--listen-port <port>', 'overlay TCP port', '4001')
    .option('--json', 'print the public identity as JSON')
    .action(async (o) => {
      const problems = [
        memberName.safeParse(o.name).success ? '' : `--name ${o.name}: expected a member name`,
        validPort(o.apiPort) ? '' : `--api-port ${o.apiPort}: expected a port 1-65535`,
        validPort(o.listenPort) ? '' : `--listen-port ${o.listenPort}: expected a port 1-65535`,
      ].filter((p) => p !== '')
      if (problems.length > 0) fail(problems.join('\n'))
      const dir = resolve(o.dir)
      let identity: Awaited<ReturnType<typeof createIdentity>>
      try {
        identity = await createIdentity(dir)
      } catch (err) {
        fail(`${dir}: ${(err as Error).message}`)
      }
      const file = join(dir, 'lifeline.yaml')
      const exists = await access(file).then(
        () => true,
        () => false,
      )
      if (!exists) {
        const text = starterConfig({
          name: o.name,
          authorityKey: o.authorityKey,
          apiPort: Number(o.apiPort),
          listenPort: Number(o.listenPort),
        })
        await writeFile(file, text, { mode: 0o600 })
      }
      const info = identityPublicInfo(identity)
      if (o.json) {
        console.log(JSON.stringify({ name: o.name, dir, config: file, ...info }))
        return
      }
      console.log(`identity created in ${dir}`)
      console.log(`  peer id:        ${info.peerId}`)
      console.log(`  encryption key: ${info.encryptionKey}`)
      console.log(`  config:         ${file}${exists ? ' (kept: it already existed)' : ''}`)
      console.log('Send the peer id and encryption key to the federation authority for the roster.')
    })
}

/** A usage problem: said plainly on stderr, exit status 2. */
function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

function validPort(value: string): boolean {
  const port = Number(value)
  return Number.isInteger(port) && port >= 1 && port <= 65535
}

export function startCommand(program: Command): void {
  program
    .command('start')
    .description('run a gateway until SIGTERM or SIGINT')
    .requiredOption('--config <file>', 'YAML config file')
    .action(async (o) => {
      let config: Awaited<ReturnType<typeof loadConfig>>
      try {
        config = await loadConfig(o.config)
      } catch (err) {
        console.error((err as Error).message)
        process.exit(2)
      }
      const level = process.env.LIFELINE_LOG_LEVEL ?? config.log.level
      const log = createLogger({ level, name: config.name })
      const gateway = new Gateway(config, log)
      const shutdown = (signal: string) => {
        log.info({ signal }, 'shutdown requested')
        gateway.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.fatal({ err }, 'unclean shutdown')
            process.exit(1)
          },
        )
      }
      process.once('SIGTERM', () => shutdown('SIGTERM'))
      process.once('SIGINT', () => shutdown('SIGINT'))
      try {
        await gateway.start()
      } catch (err) {
        log.fatal(
          { err, code: isLifelineError(err) ? err.code : undefined },
          'gateway failed to start',
        )
        await gateway.stop().catch(() => {})
        process.exit(isLifelineError(err, 'INVALID_CONFIG') ? 2 : 1)
      }
    })
}

export function tokenCommand(program: Command): void {
  program
    .command('token')
    .description('make a bearer token for a client system; prints the token and the config entry')
    .requiredOption('--client <name>', 'the client system the token is for')
    .action((o) => {
      const token = randomBytes(32).toString('base64url')
      console.log(`token (give it to ${o.client}; it is not stored anywhere): ${token}`)
      console.log('add to api.tokens in the gateway config:')
      console.log(`  - { client: ${JSON.stringify(o.client)}, sha256: ${hashToken(token)} }`)
    })
}
