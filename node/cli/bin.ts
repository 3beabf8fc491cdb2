#!/usr/bin/env node
import { Command } from 'commander'

const program = new Command()
  .name('lifeline')
  .description('Lifeline: durable, multipath data exchange between agency gateways')
  .showHelpAfterError()

/**
 * Command groups load only when their command runs (or for help), so a gateway
 * process never loads the simulator and `lifeline roster ...` starts quickly.
 */
const groups: Array<{ names: RegExp; load: () => Promise<(p: Command) => void> }> = [
  {
    names: /^(init|start|token)$/,
    load: async () => {
      const m = await import('./gateway-commands.ts')
      return (p) => {
        m.initCommand(p)
        m.startCommand(p)
        m.tokenCommand(p)
      }
    },
  },
  {
    names: /^(authority|roster)(-.*)?$/,
    load: async () => (await import('./authority.ts')).authorityCommands,
  },
  {
    names: /^drill$/,
    load: async () => (await import('../../simulator/cli/drill.ts')).drillCommand,
  },
]

const command = process.argv[2] ?? ''
const matching = groups.filter((g) => g.names.test(command))
for (const group of matching.length > 0 ? matching : groups) (await group.load())(program)

await program.parseAsync(process.argv)
