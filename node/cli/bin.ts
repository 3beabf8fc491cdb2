#!/usr/bin/env node
import { Command } from 'commander'
import { drillCommand } from '../../simulator/cli/drill.ts'
import { authorityCommands } from './authority.ts'
import { initCommand, startCommand, tokenCommand } from './gateway-commands.ts'

const program = new Command()
  .name('lifeline')
  .description('Lifeline: durable, multipath data exchange between agency gateways')
  .showHelpAfterError()

initCommand(program)
startCommand(program)
tokenCommand(program)
authorityCommands(program)
drillCommand(program)

await program.parseAsync(process.argv)
