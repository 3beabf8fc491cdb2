/** The drill command on its own, as `lifeline drill` runs it, for tests that need a process. */
import { Command } from 'commander'
import { drillCommand } from '../../../simulator/cli/drill.ts'

const program = new Command('lifeline')
drillCommand(program)
await program.parseAsync(process.argv)
