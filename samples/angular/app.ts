/**
 * The sample's one component: the connection's state, a server stream, the latest
 * notification, and a request — each a signal in the template. No decorator syntax:
 * `Component({...})` is applied to the class as a function (Angular compiles it JIT).
 */
import { Component, signal } from '@angular/core';
import {
  injectConnectionState,
  injectJsonRpc,
  injectNotification,
  injectStream,
} from 'rxjs-jsonrpc/angular';

/** The server's methods, as this app calls them: the map types `request()`. */
interface SampleServer {
  greet(params: [name: string]): string;
}

/** The params of the server's `news` notification. */
type News = [headline: string];

export class App {
  private readonly rpc = injectJsonRpc<SampleServer>();
  /** 'connecting', 'open', 'reconnecting' or 'closed'. */
  readonly state = injectConnectionState();
  /** The server stream `ticks`: its latest value; it resumes by itself after a reconnect. */
  readonly ticks = injectStream<number>('ticks');
  /** The params of the latest `news` notification. */
  readonly news = injectNotification<News>('news');
  readonly greeting = signal('');

  greet(): void {
    // A request made while the connection is down waits for the next link.
    this.rpc.request('greet', ['Angular']).then(
      (greeting) => this.greeting.set(greeting),
      (error: unknown) => this.greeting.set(`failed: ${String(error)}`),
    );
  }
}

Component({
  selector: 'app-root',
  template: `
    <h1>rxjs-jsonrpc + Angular</h1>
    <dl>
      <dt>Connection</dt>
      <dd id="state" [attr.data-state]="state()">{{ state() }}</dd>
      <dt>Ticks (a server stream)</dt>
      <dd id="ticks">{{ ticks.hasValue() ? ticks.value() : '…' }}</dd>
      <dt>News (the latest notification)</dt>
      <dd id="news">{{ news()?.[0] ?? '…' }}</dd>
    </dl>
    <button id="greet" type="button" (click)="greet()">Greet</button>
    <output id="greeting">{{ greeting() }}</output>
  `,
})(App);
