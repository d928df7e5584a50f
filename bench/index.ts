/**
 * `npm run bench`: every benchmark in one run, on 127.0.0.1 or in memory only, against the
 * built library (dist/). Writes bench/RESULTS.md and bench/chart.svg. Not part of npm test.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pinSelf } from './child.js';
import { benchFanoutNotifications } from './fanout.js';
import { benchFanout } from './streams-fanout.js';
import { benchIdleHeap, benchPendingHeap } from './heap.js';
import { benchHttp, HTTP_WINDOW } from './http.js';
import { benchMemory } from './memory.js';
import { benchRedis } from './redis.js';
import { benchStreams, STREAM_WINDOW } from './streams.js';
import { barChart, ratio, table, verdict } from './report.js';
import { benchWebSocket, WS_KINDS, WS_WINDOWS } from './ws.js';

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  throw new Error('Run with --expose-gc (npm run bench does): each round starts after a GC');
}

const pinned = pinSelf();
const started = Date.now();
const log = (text: string): void =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${text}`);
const sections: string[] = [];

log('WebSocket round trips');
const ws = await benchWebSocket();
const wsRatio = (kind: string, window: number): number =>
  ws[kind as 'raw'][window]! / ws.raw[window]!;
sections.push(
  '## WebSocket round trips',
  'Calls per second, one client and one server (in a process of its own) on 127.0.0.1; raw `ws` echoing the same JSON text is the physical limit. The raw echo writes each frame with a system call of its own, as every peer does; rxjs-jsonrpc writes the frames of one turn in groups of 16 (`framesPerWrite`), which is how it can pass the raw echo when many calls are in flight. "raw, grouped" is the raw echo with both ends writing that way: the limit for a library that does.',
  table(
    ['', ...WS_WINDOWS.map((w) => `${w} in flight`), ...WS_WINDOWS.map((w) => `÷ raw @${w}`)],
    WS_KINDS.map((kind) => [
      kind,
      ...WS_WINDOWS.map((w) => ws[kind][w]!),
      ...WS_WINDOWS.map((w) => ratio(ws[kind][w]!, ws.raw[w]!)),
    ]),
  ),
  [
    verdict(
      wsRatio('rxjs-jsonrpc', 64) >= 0.88,
      `at 64 in flight rxjs-jsonrpc reaches ${ratio(ws['rxjs-jsonrpc'][64]!, ws.raw[64]!)} of raw ws (target ≥ 0.88×)`,
    ),
    verdict(
      ws['rxjs-jsonrpc'][64]! >= 1.05 * ws['rpc-websockets'][64]!,
      `rxjs-jsonrpc ÷ rpc-websockets at 64: ${ratio(ws['rxjs-jsonrpc'][64]!, ws['rpc-websockets'][64]!)} (target ≥ 1.05×)`,
    ),
    `rxjs-jsonrpc ÷ json-rpc-2.0 at 64: ${ratio(ws['rxjs-jsonrpc'][64]!, ws['json-rpc-2.0'][64]!)}`,
    `rxjs-jsonrpc ÷ the raw echo writing as it does (raw, grouped): ${WS_WINDOWS.map((w) => `${ratio(ws['rxjs-jsonrpc'][w]!, ws['raw, grouped'][w]!)} @${w}`).join(', ')}`,
  ]
    .map((line) => `- ${line}`)
    .join('\n'),
);

log('byte streams over TCP');
const streams = await benchStreams();
const rawTcp = streams['raw TCP newline echo']!;
const vscode = streams['vscode-jsonrpc']!;
sections.push(
  '## Byte streams over loopback TCP',
  `Calls per second at ${STREAM_WINDOW} in flight, one client and one server (in a process of its own); a \`net\` server echoing what it reads (no JSON at all) is the physical limit. rxjs-jsonrpc writes the frames of one turn in groups of 16 (\`framesPerWrite\`), the raw client one line per write.`,
  table(
    ['', 'calls/s', '÷ raw echo', '÷ vscode-jsonrpc'],
    Object.entries(streams).map(([name, rate]) => [
      name,
      rate,
      ratio(rate, rawTcp),
      ratio(rate, vscode),
    ]),
  ),
  `- ${verdict(streams['rxjs-jsonrpc, Content-Length']! >= 4 * vscode, `Content-Length framing reaches ${ratio(streams['rxjs-jsonrpc, Content-Length']!, vscode)} of vscode-jsonrpc (target ≥ 4×)`)}`,
);

log('HTTP POST');
const http = await benchHttp();
const httpOurs = http['rxjs-jsonrpc, batched (default)'];
const httpSingle = http['rxjs-jsonrpc, one call per POST'];
const httpPeer = http['json-rpc-2.0, one call per POST'];
const httpPeerAbortable = http['json-rpc-2.0 + AbortSignal, one call per POST'];
sections.push(
  '## HTTP POST',
  `Calls per second at ${HTTP_WINDOW} in flight, one client (on Node's \`fetch\`, keep-alive) and one server (in a process of its own, on \`node:http\`) on 127.0.0.1. A bare node:http server answering each POST with a fixed text is the limit of one call per POST. Batched, the calls of one macrotask share a POST. Each of our POSTs carries an AbortSignal, so that a cancelled call can abort it; json-rpc-2.0 cannot cancel a call, and the row giving its POSTs a signal too shows what that costs in \`fetch\`.`,
  table(
    ['', 'calls/s', '÷ raw, one per POST', '÷ json-rpc-2.0'],
    Object.entries(http).map(([name, rate]) => [
      name,
      rate,
      ratio(rate, http['raw node:http, one call per POST']),
      ratio(rate, httpPeer),
    ]),
  ),
  [
    verdict(
      httpOurs >= 5 * httpPeer,
      `batched, rxjs-jsonrpc makes ${ratio(httpOurs, httpPeer)} the calls of json-rpc-2.0 (target ≥ 5×)`,
    ),
    verdict(
      httpSingle >= 0.85 * httpPeer,
      `one call per POST, rxjs-jsonrpc ÷ json-rpc-2.0: ${ratio(httpSingle, httpPeer)} (target ≥ 0.85×: each POST of ours carries an AbortSignal, which fetch makes dear); ÷ json-rpc-2.0 with a signal per POST: ${ratio(httpSingle, httpPeerAbortable)}`,
    ),
  ]
    .map((line) => `- ${line}`)
    .join('\n'),
);

log('in memory');
const memory = await benchMemory();
const ours = memory['rxjs-jsonrpc']!;
const peer = memory['json-rpc-2.0']!;
sections.push(
  '## In memory',
  "Calls per second over this project's memory pair, against json-rpc-2.0 with a JSON round trip on each side, delivered on a microtask like ours.",
  table(
    ['', '64 in flight', '10,000 in flight', '10,000 ÷ 64'],
    Object.entries(memory).map(([name, rates]) => [
      name,
      rates[64]!,
      rates[10_000]!,
      ratio(rates[10_000]!, rates[64]!),
    ]),
  ),
  [
    verdict(
      ours[10_000]! >= 0.8 * ours[64]!,
      `rxjs-jsonrpc at 10,000 in flight keeps ${ratio(ours[10_000]!, ours[64]!)} of its rate at 64 (target ≥ 0.8×)`,
    ),
    `rxjs-jsonrpc ÷ json-rpc-2.0: ${ratio(ours[64]!, peer[64]!)} at 64, ${ratio(ours[10_000]!, peer[10_000]!)} at 10,000`,
  ]
    .map((line) => `- ${line}`)
    .join('\n'),
);

log('heap per pending request');
const pending = await benchPendingHeap();
sections.push(
  '## Heap per pending request',
  'Bytes of heap per request awaiting its answer, 100,000 unanswered.',
  table(
    ['', 'bytes'],
    Object.entries(pending).map(([name, bytes]) => [name, Math.round(bytes)]),
  ),
  `- ${verdict(pending['rxjs-jsonrpc']! <= 500, `rxjs-jsonrpc: ${Math.round(pending['rxjs-jsonrpc']!)} bytes (target ≤ 500)`)}`,
);

log('heap per idle connection');
const idle = await benchIdleHeap();
const beyond = idle['rxjs-jsonrpc']! - idle['raw ws']!;
sections.push(
  '## Heap per idle WebSocket connection',
  'Bytes of server heap per connection, 10,000 idle clients (in a child process) on one server.',
  table(
    ['', 'bytes', 'beyond raw ws'],
    Object.entries(idle).map(([name, bytes]) => [
      name,
      Math.round(bytes),
      Math.round(bytes - idle['raw ws']!),
    ]),
  ),
  `- ${verdict(beyond <= 1024, `rxjs-jsonrpc holds ${Math.round(beyond)} bytes per idle connection beyond what ws holds (target ≤ 1,024)`)}`,
);

log('notification fan-out');
const fanout = await benchFanoutNotifications();
sections.push(
  '## Notification fan-out',
  'Notifications delivered per second from one server to 100 WebSocket clients (raw `ws` clients in a child process, counting).',
  table(
    ['', 'notifications/s', '÷ raw ws'],
    Object.entries(fanout).map(([name, rate]) => [name, rate, ratio(rate, fanout['raw ws']!)]),
  ),
);

log('server stream fan-out');
sections.push(
  '## Server stream fan-out',
  'Values per second from one server stream (`stream()`) to 100 WebSocket clients, each `observe$()`-ing it (clients in a child process).',
  (await benchFanout()).join('\n'),
);

log('scaling out through Redis');
sections.push(
  '## Scaling out through Redis',
  'Values per second from one publisher (a broker in this process) through Redis (redis-server on a unix socket) to 3 server processes, each with its own broker serving the topic with `broker.stream()` to 10 WebSocket clients, beside this process fanning the same values out with `stream()` to 30 clients directly. The 30 clients run in a process of their own (pinned: on one core, the publisher, Redis and the servers sharing the other).',
  (await benchRedis()).join('\n'),
);

const chart = barChart('rxjs-jsonrpc and peers: throughput vs the physical limit', [
  ...WS_WINDOWS.map((window) => ({
    label: `WebSocket, ${window} in flight`,
    bars: Object.fromEntries(
      WS_KINDS.filter((kind) => kind !== 'raw').map((kind) => [kind, wsRatio(kind, window)]),
    ),
  })),
  {
    label: `TCP, ${STREAM_WINDOW} in flight`,
    bars: {
      'rxjs-jsonrpc': streams['rxjs-jsonrpc, Content-Length']! / rawTcp,
      'vscode-jsonrpc': vscode / rawTcp,
    },
  },
]);
writeFileSync('bench/chart.svg', chart);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmark results',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores (${cpu}). Each figure is the median of 5 rounds (3 for fan-out) after a warm-up and a GC; the rounds of the subjects compared are interleaved. Ratios compare figures of this one run.${pinned ? ' This process ran on one core and every server (or client crowd) process on the other.' : ''}`,
  '![throughput as a ratio of the physical limit](chart.svg)',
];
writeFileSync('bench/RESULTS.md', `${[...header, ...sections].join('\n\n')}\n`);
log('wrote bench/RESULTS.md and bench/chart.svg');
