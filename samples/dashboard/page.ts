/**
 * The dashboard page: the server's live metrics in a uPlot chart, the connection's state, a
 * period selector, a "work" button and a type-ahead search, over one JSON-RPC connection that
 * reconnects by itself. Plain TypeScript and RxJS, no framework: `server.ts` bundles this file
 * with esbuild and serves it as /main.js.
 */
import {
  animationFrameScheduler,
  auditTime,
  BehaviorSubject,
  catchError,
  debounceTime,
  distinctUntilChanged,
  EMPTY,
  exhaustMap,
  filter,
  fromEvent,
  map,
  of,
  switchMap,
  tap,
  type Observable,
} from 'rxjs';
import {
  JsonRpcConnection,
  JsonRpcConnectionType,
  reconnectingWebSocket,
} from 'rxjs-jsonrpc/browser';
import uPlot from 'uplot';
import type { Metrics, SearchAnswer } from './server.js';

/** The server's methods, as this page calls them: the map types `request$()`. */
interface DashboardServer {
  work(params: { ms?: number }): { ms: number };
  search(params: [query: string]): SearchAnswer;
  searchStats(): { cancelled: number };
}

/** What the page shows its spec as `window.dashboard`, kept live. */
export interface Dashboard {
  /** Metrics values received since the page loaded. */
  readonly points: number;
  /** Chart redraws. */
  readonly renders: number;
  /** `connection.state`: 'connecting', 'open', 'reconnecting' or 'closed'. */
  readonly state: string;
  readonly lastValue: Metrics | undefined;
  /** Values the server dropped for this page (its keep-latest overflow). */
  readonly dropped: number;
  /** The server's count of cancelled searches, as last shown. */
  readonly cancelled: number;
  /** Rows the ring holds at most. */
  readonly capacity: number;
  /** Rows the ring holds now (≤ capacity). */
  readonly buffered: number;
  /** Streams every `ms` (an integer from 1 to 10,000) from now on. */
  setPeriod(ms: number): void;
}

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
};

// ---------------------------------------------------------------------------------------------
// The connection: one WebSocket to the server the page came from, opened again after a loss
// (every 0.25–2 s, for minutes), behind the same JsonRpcConnection. Streams resubscribe.

const connection = new JsonRpcConnection<DashboardServer>(
  reconnectingWebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`, {
    reconnect: { attempts: 100, delayMs: 250, maxDelayMs: 2_000 },
  }),
  JsonRpcConnectionType.CLIENT,
);

const badge = byId('state');
connection.state$.subscribe((state) => {
  badge.textContent = state; // 'connecting', 'open', 'reconnecting' or 'closed'
  badge.dataset['state'] = state; // style.css colours the badge by state
});

const errorLine = byId('error');
function showError(error: unknown): void {
  errorLine.hidden = false;
  errorLine.textContent = String(error);
}

// ---------------------------------------------------------------------------------------------
// The ring buffer: a fixed number of rows, one Float64Array per column, allocated once. Once
// full, each new row overwrites the oldest, so memory stays the same however long the page runs,
// visible or hidden.

class Ring {
  private readonly columns: Float64Array[];
  /** Chronological copies for the chart, also allocated once. */
  private readonly ordered: Float64Array[];
  /** Where the next row goes. */
  private next = 0;
  /** Rows held, at most `capacity`. */
  size = 0;

  constructor(
    readonly capacity: number,
    width: number,
  ) {
    this.columns = Array.from({ length: width }, () => new Float64Array(capacity));
    this.ordered = Array.from({ length: width }, () => new Float64Array(capacity));
  }

  push(...row: number[]): void {
    for (let i = 0; i < row.length; i++) this.columns[i]![this.next] = row[i]!;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The columns oldest row first, as uPlot wants them. */
  chronological(): Float64Array[] {
    return this.columns.map((column, i) => {
      // Not wrapped yet: the rows are in order from 0, a view will do.
      if (this.size < this.capacity) return column.subarray(0, this.size);
      // Wrapped: the oldest rows run from `next` to the end, the newest from 0 to `next`.
      const ordered = this.ordered[i]!;
      ordered.set(column.subarray(this.next));
      ordered.set(column.subarray(0, this.next), this.capacity - this.next);
      return ordered;
    });
  }
}

const CAPACITY = 2_000;
// Columns: time (uPlot's time scale is in seconds), CPU %, event-loop delay (ms).
const ring = new Ring(CAPACITY, 3);

// ---------------------------------------------------------------------------------------------
// The chart: CPU on the left axis, event-loop delay on the right.

const chartElement = byId('chart');
const chartSize = (): { width: number; height: number } => ({
  width: chartElement.clientWidth,
  height: 300,
});
const fromZero = (_chart: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max || 1];
const chart = new uPlot(
  {
    ...chartSize(),
    scales: { '%': { range: fromZero }, ms: { range: fromZero } },
    series: [
      {},
      {
        label: 'CPU',
        scale: '%',
        stroke: '#2563eb',
        fill: 'rgba(37, 99, 235, 0.08)',
        width: 2,
        value: (_chart, v) => (v === null ? '–' : `${v.toFixed(1)} %`),
      },
      {
        label: 'Event loop delay',
        scale: 'ms',
        stroke: '#dc2626',
        width: 1.5,
        value: (_chart, v) => (v === null ? '–' : `${v.toFixed(2)} ms`),
      },
    ],
    axes: [
      {},
      { scale: '%', size: 64, values: (_chart, ticks) => ticks.map((tick) => `${tick} %`) },
      {
        scale: 'ms',
        side: 1,
        size: 64,
        grid: { show: false },
        values: (_chart, ticks) => ticks.map((tick) => `${tick} ms`),
      },
    ],
  },
  ring.chronological(),
  chartElement,
);
window.addEventListener('resize', () => chart.setSize(chartSize()));

// ---------------------------------------------------------------------------------------------
// The metrics: a period selector resubscribes through switchMap; values go into the ring as they
// arrive; the chart redraws at most once per animation frame.

const periodSelect = byId<HTMLSelectElement>('period');
const period$ = new BehaviorSubject(Number(periodSelect.value));
let points = 0;
let dropped = 0;
let lastValue: Metrics | undefined;

const metrics$: Observable<Metrics> = period$.pipe(
  distinctUntilChanged(),
  // A new period unsubscribes the old stream (metrics_unsubscribe) and subscribes anew
  // (metrics_subscribe [periodMs]). After a reconnect, observe$ subscribes again by itself.
  switchMap((periodMs) =>
    connection
      .observe$<Metrics>('metrics', [periodMs], {
        // The server keeps only the latest value for a page that reads too slowly.
        onDropped: (count) => (dropped += count),
      })
      .pipe(
        catchError((error: unknown) => {
          showError(error);
          return EMPTY; // this period's stream is over; the next period subscribes again
        }),
      ),
  ),
);

let renders = 0;
const readout = {
  cpu: byId('cpu'),
  delay: byId('delay'),
  heap: byId('heap'),
  rss: byId('rss'),
  calls: byId('calls'),
  points: byId('points'),
  dropped: byId('dropped'),
  renders: byId('renders'),
};
const MB = 1024 * 1024;

function draw(): void {
  chart.setData(ring.chronological());
  renders++;
  if (lastValue) {
    readout.cpu.textContent = `${lastValue.cpu.toFixed(1)} %`;
    readout.delay.textContent = `${lastValue.eventLoopDelayMs.toFixed(2)} ms`;
    readout.heap.textContent = `${(lastValue.heapUsed / MB).toFixed(1)} MB`;
    readout.rss.textContent = `${(lastValue.rss / MB).toFixed(1)} MB`;
    readout.calls.textContent = lastValue.callsPerSecond.toFixed(0);
  }
  readout.points.textContent = String(points);
  readout.dropped.textContent = String(dropped);
  readout.renders.textContent = String(renders);
}

metrics$
  .pipe(
    // Every value goes into the ring at once…
    tap((value) => {
      points++;
      lastValue = value;
      ring.push(value.t / 1000, value.cpu, value.eventLoopDelayMs);
    }),
    // …and one redraw follows in the next animation frame, however many values came meanwhile.
    // While the tab is hidden no frame comes: one redraw waits, not one per value.
    auditTime(0, animationFrameScheduler),
  )
  .subscribe(draw);

function setPeriod(ms: number): void {
  if (!Number.isInteger(ms) || ms < 1 || ms > 10_000) {
    throw new RangeError(`The period is an integer from 1 to 10,000 ms, got ${ms}`);
  }
  if (![...periodSelect.options].some((option) => option.value === String(ms))) {
    periodSelect.add(new Option(`${ms} ms`, String(ms)));
  }
  periodSelect.value = String(ms);
  period$.next(ms);
}
fromEvent(periodSelect, 'change').subscribe(() => setPeriod(Number(periodSelect.value)));

// ---------------------------------------------------------------------------------------------
// The work button: burns server CPU, so the CPU line moves. Clicks while it runs are ignored.

const workResult = byId('work-result');
fromEvent(byId('work'), 'click')
  .pipe(
    exhaustMap(() =>
      connection.request$('work', { ms: 500 }).pipe(
        catchError((error: unknown) => {
          showError(error);
          return EMPTY;
        }),
      ),
    ),
  )
  .subscribe(({ ms }) => (workResult.textContent = `burned ${ms} ms`));

// ---------------------------------------------------------------------------------------------
// The type-ahead: a search overtaken by a newer query is unsubscribed by switchMap, so request$
// sends $/cancelRequest: the server stops it, counts it, and never answers it. Only the last
// query's answer is shown.

const searchInput = byId<HTMLInputElement>('search');
const results = byId('results');
const cancelledOutput = byId('cancelled');
let cancelled = 0;

fromEvent(searchInput, 'input')
  .pipe(
    map(() => searchInput.value.trim()),
    debounceTime(100),
    distinctUntilChanged(),
    switchMap((query) =>
      query === ''
        ? of(undefined)
        : connection.request$('search', [query]).pipe(
            catchError((error: unknown) => {
              showError(error);
              return EMPTY;
            }),
          ),
    ),
  )
  .subscribe(showAnswer);

// The server's count as soon as each link opens (it starts again when the server restarts).
connection.state$
  .pipe(
    filter((state) => state === 'open'),
    switchMap(() => connection.request$('searchStats').pipe(catchError(() => EMPTY))),
  )
  .subscribe((stats) => showCancelled(stats.cancelled));

function showCancelled(count: number): void {
  cancelled = count;
  cancelledOutput.textContent = String(count);
}

function showAnswer(answer: SearchAnswer | undefined): void {
  results.replaceChildren();
  if (!answer) return;
  showCancelled(answer.cancelled);
  const block = document.createElement('article');
  block.className = 'answer';
  block.dataset['query'] = answer.query;
  const title = document.createElement('h2');
  title.textContent = `${answer.results.length} results for “${answer.query}”`;
  const list = document.createElement('ul');
  for (const result of answer.results) {
    list.appendChild(document.createElement('li')).textContent = result;
  }
  block.append(title, list);
  results.append(block);
}

// ---------------------------------------------------------------------------------------------
// For the spec (spec/browser/dashboard.browser.ts): live figures as window.dashboard.

const dashboard: Dashboard = {
  get points() {
    return points;
  },
  get renders() {
    return renders;
  },
  get state() {
    return connection.state;
  },
  get lastValue() {
    return lastValue;
  },
  get dropped() {
    return dropped;
  },
  get cancelled() {
    return cancelled;
  },
  capacity: ring.capacity,
  get buffered() {
    return ring.size;
  },
  setPeriod,
};
Object.assign(window, { dashboard });
