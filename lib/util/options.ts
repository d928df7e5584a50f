/**
 * Option validators shared by every layer: merged with defaults once, validated loudly — a
 * TypeError for a wrong type, a RangeError for a value out of range, naming the option.
 * @module
 */

/** A positive integer (or Infinity) limit. */
export function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`The "${name}" option must be a number, got ${String(value)}`);
  }
  if (value < 1 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`The "${name}" option must be a positive integer, got ${value}`);
  }
  return value;
}

/** A timeout in milliseconds: 0 (none) or a positive finite number. */
export function timeoutOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`The "${name}" option must be a number, got ${String(value)}`);
  }
  if (value < 0 || !Number.isFinite(value) || value > 2_147_483_647) {
    throw new RangeError(
      `The "${name}" option must be between 0 and 2147483647 milliseconds, got ${value}`,
    );
  }
  return value;
}

/**
 * A user callback as the library calls it from inside its machinery: whatever it throws is
 * logged with console.error, never raised into a socket's event or a promise chain.
 */
export function shielded<Args extends unknown[]>(
  name: string,
  callback: (...args: Args) => void,
): (...args: Args) => void {
  return (...args) => {
    try {
      callback(...args);
    } catch (thrown) {
      console.error(`rxjs-jsonrpc: the ${name} callback threw`, thrown);
    }
  };
}
