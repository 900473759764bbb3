/**
 * A training run that went numerically wrong: a loss or weight that is NaN or infinite, or weights
 * whose norm grew past the divergence bound. Its message is one line naming the epoch and step
 * (1-based), what was found and what to try; the checkpoints written before it stay (the last
 * good epoch), none is written after it. The CLI prints it as is and exits 1.
 */
export class NumericalError extends Error {
  /** 1-based epoch and step within it. */
  readonly epoch: number;
  readonly step: number;

  constructor(message: string, epoch: number, step: number) {
    super(message.replace(/\s*[\r\n]+\s*/g, ' ').trim());
    this.name = 'NumericalError';
    this.epoch = epoch;
    this.step = step;
  }
}
