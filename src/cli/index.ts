#!/usr/bin/env node
/**
 * The `contrastive` command line: a thin shell over the library (argument parsing with commander,
 * a well-kept parser with per-command --help). Bad arguments and bad data files print one line
 * naming the argument or file, the expected and the received value, and exit with code 2; other
 * failures exit with code 1.
 */
import { Command, CommanderError } from 'commander';
import '../backend/register.js';
import { embedCommand } from './commands/embed.js';
import { evalCommand } from './commands/eval.js';
import { trainCommand } from './commands/train.js';
import { DataError } from '../data/data-error.js';
import { UsageError } from '../util/usage-error.js';

const program = new Command('contrastive')
  .description('self-supervised contrastive representation learning: train, embed, evaluate')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ writeErr: () => {} }); // errors are printed below, as one line

for (const c of [trainCommand(), embedCommand(), evalCommand()]) {
  program.addCommand(c.exitOverride().configureOutput({ writeErr: () => {} }));
}

if (process.argv.length <= 2) {
  process.stderr.write(`contrastive: expected a command (${program.commands.map((c) => c.name()).join(', ')}), received none; see contrastive --help\n`);
  process.exit(2);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
    process.stderr.write(`contrastive: ${e.message.replace(/^error: /, '')}\n`);
    process.exit(2);
  }
  if (e instanceof UsageError) {
    process.stderr.write(`contrastive: ${e.flagMessage}\n`);
    process.exit(2);
  }
  if (e instanceof DataError) {
    process.stderr.write(`contrastive: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`contrastive: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}
