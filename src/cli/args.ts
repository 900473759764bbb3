/**
 * Argument parsers for the CLI: each checks one value and, when it is wrong, throws commander's
 * InvalidArgumentError, which the CLI prints as one line naming the option, what was expected and
 * what was received, with exit code 2.
 */
import { InvalidArgumentError } from 'commander';

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}], received '${value}'.`);
    }
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, received '${value}'.`);
  return n;
}

export function oneOf<T extends string>(...choices: T[]) {
  return (value: string): T => {
    if (!(choices as string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, received '${value}'.`);
    return value as T;
  };
}

/** A number in (0, 1]. */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError(`expected a number in (0, 1], received '${value}'.`);
  return n;
}

/** A comma-separated list of integers >= min, e.g. '64,128,256'. */
export function integerList(min: number) {
  return (value: string): number[] => {
    const parts = value.split(',').map((v) => v.trim());
    if (parts.length === 0 || parts.some((v) => !/^\d+$/.test(v) || Number(v) < min)) {
      throw new InvalidArgumentError(`expected a comma-separated list of integers >= ${min} (e.g. 32,64,128), received '${value}'.`);
    }
    return parts.map(Number);
  };
}
