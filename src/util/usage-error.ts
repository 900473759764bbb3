/**
 * A bad argument of a run (what the user asked for cannot be done as asked): it names the option,
 * what was expected and what was received. The CLI prints it as one line with the option's flag
 * (`batchSize` -> `--batch-size`) and exits with code 2.
 */
export class UsageError extends Error {
  /** The option, as the library names it (camelCase). */
  readonly option: string;

  /** The argument is a positional one (named without dashes on the command line). */
  readonly positional: boolean;

  constructor(option: string, message: string, options: { positional?: boolean } = {}) {
    super(`${option}: ${message}`);
    this.name = 'UsageError';
    this.option = option;
    this.positional = options.positional ?? false;
  }

  /** The message with the option as a command-line flag (a positional argument by its name). */
  get flagMessage(): string {
    if (this.positional) return this.message;
    return `--${this.option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${this.message.slice(this.option.length + 2)}`;
  }
}
