/**
 * rxjs-jsonrpc/angular in a rendered, zoneless component under Angular's TestBed: happy-dom for
 * the DOM (set on globalThis for this file only), the JIT compiler, and a memory link to a
 * server connection. The view must follow notifications and stream values by itself (signals and
 * the zoneless scheduler), the connection must close with the testing module, and a stream error
 * must render as an error state, not reach the ErrorHandler.
 */
import '@angular/compiler';
import { Component, ErrorHandler, provideZonelessChangeDetection } from '@angular/core';
import { getTestBed, TestBed, type ComponentFixture } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { expect } from 'chai';
import { Window } from 'happy-dom';
import { inspect } from 'node:util';
import { Subject } from 'rxjs';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  JsonRpcError,
  stream,
  type Transport,
} from '../../lib/index.js';
import {
  injectConnectionState,
  injectNotification,
  injectStream,
  JSON_RPC,
  provideJsonRpc,
} from '../../lib/angular/index.js';

/**
 * The happy-dom globals this file sets, and removes again in `after`: `document` and `Node` are
 * what Angular's browser platform and renderer need here; the rest is what a component may use.
 */
const DOM_GLOBALS = [
  'window',
  'document',
  'Node',
  'Element',
  'HTMLElement',
  'Event',
  'KeyboardEvent',
  'MouseEvent',
  'getComputedStyle',
  'requestAnimationFrame',
  'cancelAnimationFrame',
] as const;

class Dashboard {
  readonly state = injectConnectionState();
  readonly price = injectNotification<[number]>('price');
  readonly ticks = injectStream<number>('ticks');
}
Component({
  selector: 'app-dashboard',
  template: `
    <p>state: {{ state() }}</p>
    <p>price: {{ price()?.[0] ?? 'none' }}</p>
    <p>
      @if (ticks.hasValue()) {
        tick: {{ ticks.value() }}
      } @else if (ticks.status() === 'error') {
        error: {{ ticks.error()?.message }}
      } @else {
        ticks {{ ticks.status() }}
      }
    </p>
  `,
})(Dashboard);

class RecordingErrorHandler extends ErrorHandler {
  readonly errors: unknown[] = [];
  override handleError(error: unknown): void {
    this.errors.push(error);
  }
}

describe('rxjs-jsonrpc/angular in a TestBed component (zoneless, happy-dom)', () => {
  let happy: Window;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  let initedHere = false;

  let ticks: Subject<number>;
  let servers: JsonRpcConnection[];
  let errorHandler: RecordingErrorHandler;

  before(() => {
    happy = new Window({ url: 'http://localhost/' });
    for (const name of DOM_GLOBALS) {
      saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
      Object.defineProperty(globalThis, name, {
        value: name === 'window' ? happy : (happy as unknown as Record<string, unknown>)[name],
        configurable: true,
        writable: true,
      });
    }
    if (!getTestBed().platform) {
      TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
      initedHere = true;
    }
  });

  after(async () => {
    if (initedHere) TestBed.resetTestEnvironment();
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
    saved.clear();
    await happy.happyDOM.close();
  });

  beforeEach(() => {
    ticks = new Subject<number>();
    servers = [];
    errorHandler = new RecordingErrorHandler();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        { provide: ErrorHandler, useValue: errorHandler },
        provideJsonRpc({ transport: memoryLink }),
      ],
    });
  });

  afterEach(async () => {
    TestBed.resetTestingModule();
    await Promise.all(servers.map((server) => server.close()));
  });

  /** provideJsonRpc's transport factory: a memory pair whose other end is a served connection. */
  function memoryLink(): Transport {
    const [client, serverEnd] = createMemoryTransportPair();
    const server = new JsonRpcConnection(serverEnd, JsonRpcConnectionType.SERVER);
    server.serve({ ticks: stream(() => ticks) });
    servers.push(server);
    return client;
  }

  function textOf(fixture: ComponentFixture<Dashboard>): string {
    return String((fixture.nativeElement as HTMLElement).textContent).replace(/\s+/g, ' ');
  }

  /**
   * Waits (at most 3 s) for `condition`, touching neither change detection nor the fixture;
   * fails at once on an error reported to the ErrorHandler.
   */
  async function until(what: string, condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 3000;
    while (!condition()) {
      const [reported] = errorHandler.errors;
      if (reported !== undefined) {
        throw new Error(`Waiting for ${what}, the ErrorHandler got: ${inspect(reported)}`, {
          cause: reported,
        });
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Waits until the rendered text contains `text`, with no change detection by hand. */
  async function untilRendered(fixture: ComponentFixture<Dashboard>, text: string): Promise<void> {
    await until(`"${text}" in "${textOf(fixture)}"`, () => textOf(fixture).includes(text));
  }

  /**
   * Renders the dashboard (the one change detection by hand), then waits for its link to open
   * and the server to serve its stream. Not `whenStable()`: a loading resource is a pending
   * task, so the fixture is not stable until the stream's first value.
   */
  async function openDashboard(): Promise<ComponentFixture<Dashboard>> {
    const fixture = TestBed.createComponent(Dashboard);
    expect(TestBed.inject(ErrorHandler)).to.equal(errorHandler);
    fixture.detectChanges();
    expect(textOf(fixture)).to.contain('state: connecting');
    await untilRendered(fixture, 'state: open');
    await until('the stream subscription', () => servers[0]?.subscriptionCount === 1);
    return fixture;
  }

  it('re-renders a notification and the open state by itself', async () => {
    const fixture = await openDashboard();
    expect(textOf(fixture)).to.contain('state: open').and.contain('price: none');

    await servers[0]!.notify('price', [42]);
    await untilRendered(fixture, 'price: 42');
    await servers[0]!.notify('price', [43]);
    await untilRendered(fixture, 'price: 43');
    expect(errorHandler.errors).to.deep.equal([]);
  });

  it('re-renders a stream value by itself', async () => {
    const fixture = await openDashboard();
    expect(textOf(fixture)).to.contain('ticks loading');

    ticks.next(1);
    await untilRendered(fixture, 'tick: 1');
    ticks.next(2);
    await untilRendered(fixture, 'tick: 2');
    expect(errorHandler.errors).to.deep.equal([]);
  });

  it('closes the connection with the testing module, ending its server subscriptions', async () => {
    await openDashboard();
    const client = TestBed.inject(JSON_RPC);
    const server = servers[0]!;
    expect(client.closed).to.equal(false);
    expect(ticks.observed).to.equal(true);

    TestBed.resetTestingModule();
    expect(client.closed).to.equal(true);
    await until('the server to see the close', () => server.closed);
    expect(server.subscriptionCount).to.equal(0);
    expect(ticks.observed).to.equal(false);
    expect(servers).to.have.length(1);
  });

  it('renders a stream error as an error state, with nothing for the ErrorHandler', async () => {
    const fixture = await openDashboard();
    ticks.next(7);
    await untilRendered(fixture, 'tick: 7');

    ticks.error(new JsonRpcError(-32001, 'boom'));
    await untilRendered(fixture, 'error: boom');
    await fixture.whenStable();
    expect(errorHandler.errors).to.deep.equal([]);

    // The fixture keeps rendering.
    await servers[0]!.notify('price', [5]);
    await untilRendered(fixture, 'price: 5');
    expect(textOf(fixture)).to.contain('error: boom').and.contain('state: open');
    expect(errorHandler.errors).to.deep.equal([]);
  });
});
