/**
 * The layer order of lib/, read from its import graph: a file imports only from its own
 * folder or from folders of a lower layer, and no files import each other in a cycle.
 */
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib');

/**
 * Lowest first. A file belongs to the longest folder (or file) named here that holds it;
 * folders on one line are peers and may not import each other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['util'],
  ['protocol'],
  ['transports/framing'],
  ['transports'],
  ['transports/ws', 'transports/byte-stream'],
  ['reconnect', 'streams'],
  ['methods'],
  ['dispatch'],
  ['connection'],
  ['endpoints'],
  ['endpoints/websocket', 'endpoints/byte-stream', 'endpoints/http'],
  ['index.ts'],
  ['node.ts', 'browser.ts'],
  ['angular', 'redis'],
];

/**
 * Entries beyond the core: they use the rest of lib/ only through its public entries, as
 * any user's code would.
 */
export const BEYOND_THE_CORE: readonly string[] = ['angular', 'redis'];

const ENTRY_FILES: readonly string[] = ['index.ts', 'node.ts', 'browser.ts'];

/** Each lib/ file (posix path under lib/) and the lib/ files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The relative imports of one source text (import, import type, export from, import()). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => (match[1] ?? match[2]) as string);
}

async function readGraph(): Promise<ImportGraph> {
  const graph = new Map<string, string[]>();
  const entries = await readdir(LIB, { recursive: true });
  for (const entry of entries) {
    if (!entry.endsWith('.ts')) continue;
    const file = entry.split('\\').join('/');
    const source = await readFile(join(LIB, file), 'utf8');
    graph.set(
      file,
      importsOf(source).map((spec) =>
        posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'),
      ),
    );
  }
  return graph;
}

/** The layer (its folder and rank) a lib/ file belongs to. */
export function layerOf(file: string): { group: string; rank: number } | undefined {
  let best: { group: string; rank: number } | undefined;
  LAYERS.forEach((groups, rank) => {
    for (const group of groups) {
      const holds = file === group || file.startsWith(`${group}/`);
      if (holds && (!best || group.length > best.group.length)) best = { group, rank };
    }
  });
  return best;
}

/** Every import against the order, as `from → to (why)`. */
export function violations(graph: ImportGraph): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    const source = layerOf(from);
    if (!source) {
      found.push(`${from} is in no layer`);
      continue;
    }
    for (const to of targets) {
      const target = layerOf(to);
      if (!graph.has(to)) found.push(`${from} → ${to} (no such file)`);
      else if (!target) found.push(`${from} → ${to} (in no layer)`);
      else if (target.group === source.group) continue;
      else if (target.rank > source.rank) found.push(`${from} → ${to} (upward)`);
      else if (target.rank === source.rank) found.push(`${from} → ${to} (between peers)`);
      else if (BEYOND_THE_CORE.includes(source.group) && !ENTRY_FILES.includes(to)) {
        found.push(`${from} → ${to} (past the public entries)`);
      }
    }
  }
  return found;
}

/** Every cycle of imports, as `a → b → … → a`, each reported once. */
export function cycles(graph: ImportGraph): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open')
        found.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe('the layers of lib/', () => {
  it('import only downward, never between peers', async () => {
    const graph = await readGraph();
    expect(graph.size).to.be.greaterThan(50);
    expect(violations(graph)).to.deep.equal([]);
  });

  it('have no import cycles, type-only imports included', async () => {
    expect(cycles(await readGraph())).to.deep.equal([]);
  });

  it('every layer named holds at least one file', async () => {
    const graph = await readGraph();
    const empty = LAYERS.flat().filter(
      (group) => ![...graph.keys()].some((file) => layerOf(file)?.group === group),
    );
    expect(empty).to.deep.equal([]);
  });

  describe('the checker', () => {
    const graph: ImportGraph = new Map([
      ['protocol/a.ts', ['connection/b.ts']],
      ['connection/b.ts', ['protocol/a.ts', 'streams/c.ts']],
      ['streams/c.ts', ['reconnect/d.ts', 'connection/b.ts']],
      ['reconnect/d.ts', []],
      ['extra/e.ts', []],
      ['angular/f.ts', ['browser.ts', 'connection/b.ts']],
      ['browser.ts', []],
    ]);

    it('names an upward import, an import between peers, a file in no layer, and an entry beyond the core past the public entries', () => {
      expect(violations(graph)).to.deep.equal([
        'protocol/a.ts → connection/b.ts (upward)',
        'streams/c.ts → reconnect/d.ts (between peers)',
        'streams/c.ts → connection/b.ts (upward)',
        'extra/e.ts is in no layer',
        'angular/f.ts → connection/b.ts (past the public entries)',
      ]);
    });

    it('names each cycle once', () => {
      expect(cycles(graph)).to.deep.equal([
        'connection/b.ts → protocol/a.ts → connection/b.ts',
        'connection/b.ts → streams/c.ts → connection/b.ts',
      ]);
    });

    it('reads every form of relative import', () => {
      const source = [
        "import { a } from './a.js';",
        "import type { B } from '../b.js';",
        "export { c } from './c.js';",
        "export type * from './d.js';",
        "import './e.js';",
        "const f = await import('./f.js');",
        "import { g } from 'rxjs';",
        "import {\n  h,\n  type H,\n} from './h.js';",
      ].join('\n');
      expect(importsOf(source)).to.deep.equal([
        './a.js',
        '../b.js',
        './c.js',
        './d.js',
        './f.js',
        './h.js',
      ]);
    });
  });
});
