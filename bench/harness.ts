/**
 * Benchmark plumbing: a windowed driver (N calls outstanding), warm-up, a GC before each
 * round, and the median of several rounds. Rounds of the subjects of one comparison are
 * interleaved, so that a slow moment of the machine falls on all of them alike. Every loop
 * is bounded by a count and a deadline.
 */

/** One call: resolves when its answer arrives. */
export type Call = () => PromiseLike<unknown>;

export interface CellOptions {
  /** Calls outstanding at once. */
  window: number;
  /** Calls measured in one round. */
  calls: number;
  /** Rounds measured; the median is reported. @default 5 */
  rounds?: number;
  /** Calls made before measuring. @default calls / 4 */
  warmup?: number;
  /** A round stops at this deadline even if unfinished. @default 20 s */
  maxRoundMs?: number;
}

/** Keeps `window` calls in flight until `total` have completed; returns calls per second. */
export async function windowed(
  call: Call,
  window: number,
  total: number,
  maxMs: number,
): Promise<number> {
  const started = performance.now();
  const deadline = started + maxMs;
  let issued = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const next = (): void => {
      if (done === total || performance.now() > deadline) return resolve();
      if (issued < total) {
        issued++;
        call().then(() => {
          done++;
          next();
        }, reject);
      }
    };
    for (let i = 0; i < Math.min(window, total); i++) next();
  });
  return (done * 1000) / (performance.now() - started);
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median calls per second of `rounds` rounds, after a warm-up. */
export async function measure(call: Call, options: CellOptions): Promise<number> {
  return (await compare({ only: call }, options)).only!;
}

/**
 * Measures several subjects under the same options, their rounds interleaved: round 1 of
 * each, then round 2 of each, and so on. Returns the median calls per second of each.
 */
export async function compare(
  subjects: Record<string, Call>,
  options: CellOptions,
): Promise<Record<string, number>> {
  const { window, calls, rounds = 5, warmup = Math.ceil(calls / 4), maxRoundMs = 20_000 } = options;
  const rates: Record<string, number[]> = {};
  for (const [name, call] of Object.entries(subjects)) {
    await windowed(call, window, warmup, maxRoundMs);
    rates[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of Object.entries(subjects)) {
      gc();
      rates[name]!.push(await windowed(call, window, calls, maxRoundMs));
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, median(values)]));
}

export const format = (rate: number): string => Math.round(rate).toLocaleString('en-US');
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

/**
 * Calls answered in order, for the raw echoes: `call(send)` waits for the next answer after
 * sending; `answered()` settles the oldest call.
 */
export class InOrder {
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  call(send: () => void): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      send();
    });
  }

  answered(): void {
    const resolve = this.waiting[this.head];
    if (!resolve) return;
    this.waiting[this.head++] = undefined as never;
    resolve();
    if (this.head > 4096 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }
}
