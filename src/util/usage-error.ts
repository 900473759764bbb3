/**
 * A bad argument of a run (what the user asked for cannot be done as asked): it names the option,
 * what was expected and what was received. The CLI prints it as one line with the option's flag
 * (`batchSize` -> `--batch-size`) and exits with code 2.
 */
export class UsageError extends Error {
  /** The option, as the library names it (camelCase). */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'UsageError';
    this.option = option;
  }

  /** The message with the option as a command-line flag. */
  get flagMessage(): string {
    return `--${this.option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${this.message.slice(this.option.length + 2)}`;
  }
}
