#!/usr/bin/env node
/** `flowgate`: a thin commander program; each command lives in its own module under commands/. */
import { Command } from 'commander';
import { registerClientCommands } from './commands/client';
import { registerServiceCommands } from './commands/services';
import { registerUpCommand } from './commands/up';
import { registerValidateCommand } from './commands/validate';

const program = new Command('flowgate').description('Flowgate: durable workflows with human-in-the-loop gates');

registerUpCommand(program);
registerServiceCommands(program);
registerValidateCommand(program);
registerClientCommands(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`flowgate: ${err.message}\n`);
  process.exitCode = 1;
});
