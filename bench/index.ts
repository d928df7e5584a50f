/**
 * `npm run bench`: every benchmark in one process, on 127.0.0.1 or in memory only.
 * Not part of `npm test`.
 */
import { benchMemory } from './memory.js';

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.warn('Run with --expose-gc (npm run bench does) for a GC before each round.');
}
console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
for (const line of await benchMemory()) console.log(line);
