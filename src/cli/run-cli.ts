/**
 * The `contrastive` command line as a function: `runCli(argv)` parses the arguments (commander, a
 * well-kept parser with per-command --help), runs the command and returns the exit code; it never
 * calls process.exit, so tests run it in-process. `index.ts` is the bin around it.
 *
 * Exit codes: 0 done (also --help, --version); 2 a bad argument or a bad file: one line on stderr
 * naming the argument or the file, what was expected and what was received (and a bare
 * `contrastive`: the help text on stderr); 1 a training run that went numerically wrong (NaN/Inf,
 * divergence): one line naming the epoch and step; 1 anything else (a bug or the system): the
 * stack trace.
 */
import { Command, CommanderError } from 'commander';
import { DataError } from '../data/data-error.js';
import { NumericalError } from '../train/numerical-error.js';
import { UsageError } from '../util/usage-error.js';
import { embedCommand } from './commands/embed.js';
import { evalCommand } from './commands/eval.js';
import { searchCommand } from './commands/search.js';
import { trainCommand } from './commands/train.js';

/** Where the CLI writes its help, version and error lines (default: the process's streams). */
export interface CliIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** A fresh program (commander keeps parsed values in its commands: one program per run). */
export function cliProgram(io: Required<CliIo>): Command {
  const output = { writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} }; // errors are printed by runCli, as one line
  const program = new Command('contrastive')
    .description('self-supervised contrastive representation learning: train, embed, evaluate, search')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput(output);
  for (const c of [trainCommand(), embedCommand(), evalCommand(), searchCommand()]) program.addCommand(c.exitOverride().configureOutput(output));
  return program;
}

/** Collapses line breaks (and the spaces around them) to one space: an error is one line. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** commander's message for an error, one line, with the argument that caused it where commander leaves it out. */
function commanderMessage(e: CommanderError, argv: readonly string[], program: Command): string {
  const message = oneLine(e.message.replace(/^error: /, ''));
  if (e.code === 'commander.excessArguments') {
    // "too many arguments for 'train'. Expected 0 arguments but got 1.": name them.
    const name = /for '([^']+)'/.exec(message)?.[1];
    const extra = program.commands.find((c) => c.name() === name)?.args ?? argv.filter((a) => !a.startsWith('-'));
    return `${name ?? 'contrastive'}: expected options only (see contrastive${name ? ` ${name}` : ''} --help), received the argument${extra.length === 1 ? '' : 's'} ${extra.map((a) => `'${a}'`).join(' ')}`;
  }
  return message;
}

/**
 * Runs `contrastive` with `argv` (the arguments after the program's name) and returns its exit
 * code (see the file comment). Help, version and error lines go to `io`; the commands' own output
 * (progress, tables, JSON) goes to the process's stdout and stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out: Required<CliIo> = {
    stdout: io.stdout ?? ((s) => void process.stdout.write(s)),
    stderr: io.stderr ?? ((s) => void process.stderr.write(s)),
  };
  const program = cliProgram(out);
  if (argv.length === 0) {
    out.stderr(program.helpInformation());
    return 2;
  }
  const fail = (message: string) => {
    out.stderr(`contrastive: ${oneLine(message)}\n`);
    return 2;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
      return fail(commanderMessage(e, argv, program));
    }
    if (e instanceof UsageError) return fail(e.flagMessage);
    if (e instanceof DataError) return fail(e.message);
    if (e instanceof NumericalError) {
      out.stderr(`contrastive: ${e.message.replace(/^Trainer: /, '')}\n`);
      return 1;
    }
    out.stderr(`contrastive: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
