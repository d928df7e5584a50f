/**
 * The documentation's links: every relative link in README.md and docs/*.md names a file that
 * exists, every #anchor names a heading of its file (GitHub's slugs), and README.md links to
 * every page of docs/.
 */
import { expect } from 'chai';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A Markdown link found in a file: its target, and the line it is on (1-based). */
interface Link {
  readonly target: string;
  readonly line: number;
}

/** The lines of a Markdown text that are outside fenced code blocks, with their numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, index) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(text);
    if (fence === undefined) {
      if (opener) fence = opener[1];
      else lines.push({ text, line: index + 1 });
    } else if (
      opener &&
      opener[1]![0] === fence[0] &&
      opener[1]!.length >= fence.length &&
      text.trim() === opener[1]
    ) {
      fence = undefined;
    }
  });
  return lines;
}

/** `text` with its inline code spans blanked out (same length, so indexes still match). */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[\s\S]*?[^`]\1(?!`)/g, (span) => ' '.repeat(span.length));
}

/** Every `[text](target)` (and `![alt](target)`) outside code; web and mail links left out. */
export function findLinks(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { text, line } of proseLines(markdown)) {
    // Code spans are blanked first: a link inside one is code, and one inside a link's text
    // (`[`serve()`](serve.md)`) cannot end the text early.
    const prose = withoutCodeSpans(text);
    for (const match of prose.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1]!;
      if (/^(https?|mailto):/i.test(target)) continue;
      links.push({ target, line });
    }
  }
  return links;
}

/** GitHub's anchor for a heading's text: lowercase, punctuation removed, spaces to hyphens. */
export function slug(heading: string): string {
  // Code spans count as they read; outside them a link counts by its text and HTML tags not at all.
  const text = heading
    .split(/(`+[^`]*`+)/)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, ''),
    )
    .join('');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings; a repeated one gets -1, -2, … as on GitHub. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(text);
    if (!heading) continue;
    const base = slug((heading[1] ?? '').trim());
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The dead links of one Markdown file, as `file:line: target (why)`. `markdown` is the file's
 * text (same-file anchors are read from it); other files are read from disk, relative to `file`.
 */
export async function deadLinks(file: string, markdown: string): Promise<string[]> {
  const dead: string[] = [];
  const name = relative(ROOT, file);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = async (path: string): Promise<Set<string>> => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = path === file ? anchorsOf(markdown) : anchorsOf(await readFile(path, 'utf8'));
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  for (const { target, line } of findLinks(markdown)) {
    const where = `${name}:${line}: ${target}`;
    if (target === '') {
      dead.push(`${where} (empty target)`);
      continue;
    }
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const path =
      pathPart === ''
        ? file
        : pathPart.startsWith('/')
          ? join(ROOT, pathPart)
          : resolve(dirname(file), pathPart);
    if (path !== file && !(await exists(path))) {
      dead.push(`${where} (no such file: ${relative(ROOT, path)})`);
      continue;
    }
    if (anchor === undefined || !path.endsWith('.md')) continue;
    if (!(await anchorsIn(path)).has(anchor)) {
      dead.push(`${where} (no heading #${anchor} in ${relative(ROOT, path)})`);
    }
  }
  return dead;
}

/** README.md and every docs/*.md, as absolute paths. */
async function documentationFiles(): Promise<string[]> {
  const docs = (await readdir(join(ROOT, 'docs')))
    .filter((entry) => entry.endsWith('.md'))
    .sort()
    .map((entry) => join(ROOT, 'docs', entry));
  return [join(ROOT, 'README.md'), ...docs];
}

describe('documentation links', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Quick start')).to.equal('quick-start');
    expect(slug('`new JsonRpcConnection<Remote, Local>(transport, role?, options?)`')).to.equal(
      'new-jsonrpcconnectionremote-localtransport-role-options',
    );
    expect(slug('`connectWebSocket(url, options?)` → `Promise<JsonRpcConnection>`')).to.equal(
      'connectwebsocketurl-options--promisejsonrpcconnection',
    );
    expect(slug('Byte streams: stdio, TCP and child processes')).to.equal(
      'byte-streams-stdio-tcp-and-child-processes',
    );
    expect(slug('serve(): answering from a [method table](x.md)')).to.equal(
      'serve-answering-from-a-method-table',
    );
    expect(slug('max_queue and `DEFAULT_MAX_QUEUE`')).to.equal('max_queue-and-default_max_queue');
    expect([
      ...anchorsOf('# A\n## Transports\n```\n# not a heading\n```\n### Transports\n'),
    ]).to.eql(['a', 'transports', 'transports-1']);
  });

  it('finds links outside code only, and leaves web and mail links out', () => {
    const markdown = [
      'See [one](a.md), ![chart](b.svg "title") and [`two()`](c.md#d).',
      'Not `[code](e.md)`, not [web](https://example.com) nor [mail](mailto:x@example.com).',
      '```md',
      '[fenced](f.md)',
      '```',
    ].join('\n');
    expect(findLinks(markdown)).to.eql([
      { target: 'a.md', line: 1 },
      { target: 'b.svg', line: 1 },
      { target: 'c.md#d', line: 1 },
    ]);
  });

  it('reports a dead anchor and a missing file', async () => {
    const file = join(ROOT, 'docs', 'in-memory.md');
    const markdown = [
      '# In memory',
      '',
      'A [live anchor](#in-memory), a [dead one](#no-such-heading),',
      'a [missing file](no-such-file.md), and a [dead anchor elsewhere](../README.md#no-such).',
      '',
      '```',
      '[inside a fence](also-missing.md)',
      '```',
    ].join('\n');
    expect(await deadLinks(file, markdown)).to.eql([
      'docs/in-memory.md:3: #no-such-heading (no heading #no-such-heading in docs/in-memory.md)',
      'docs/in-memory.md:4: no-such-file.md (no such file: docs/no-such-file.md)',
      'docs/in-memory.md:4: ../README.md#no-such (no heading #no-such in README.md)',
    ]);
  });

  it('README.md and docs/*.md have no dead links or anchors', async () => {
    const dead: string[] = [];
    for (const file of await documentationFiles()) {
      dead.push(...(await deadLinks(file, await readFile(file, 'utf8'))));
    }
    expect(dead, dead.join('\n')).to.eql([]);
  });

  it('README.md links to every page of docs/', async () => {
    const readme = join(ROOT, 'README.md');
    const linked = new Set(
      findLinks(await readFile(readme, 'utf8')).map(({ target }) =>
        resolve(ROOT, decodeURIComponent(target.split('#')[0]!)),
      ),
    );
    const [, ...pages] = await documentationFiles();
    expect(pages).to.not.be.empty;
    const unlinked = pages.filter((page) => !linked.has(page)).map((page) => relative(ROOT, page));
    expect(unlinked, `not linked from README.md: ${unlinked.join(', ')}`).to.eql([]);
  });
});
