/**
 * Every example of the JSON-RPC 2.0 specification, body for body, over HTTP POST on
 * 127.0.0.1: raw requests to serveHttp. Each POST's answer is a 200 with one JSON body, or a
 * 204 with none when there is nothing to answer.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { serveHttp, type HttpServerHandle } from '../../lib/node.js';
import { http, type RawResponse } from '../helpers/http.js';
import { specExamples, type Wire } from '../helpers/spec-examples.js';

/** POSTs each text sent; each 200 body is a frame read back, a 204 is none. */
class HttpWire implements Wire {
  private readonly frames: unknown[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  readonly statuses: number[] = [];

  constructor(private readonly url: string) {}

  send(text: string): void {
    const posted = http(this.url, { body: text }).then((response) => this.take(response));
    this.inFlight.add(posted);
    void posted.finally(() => this.inFlight.delete(posted));
  }

  async read(count: number): Promise<unknown[]> {
    await Promise.all(this.inFlight);
    expect(this.frames.length, `${count} answers`).to.be.at.least(count);
    return this.frames.splice(0, count);
  }

  async drain(): Promise<unknown[]> {
    await Promise.all(this.inFlight);
    return this.frames.splice(0);
  }

  async close(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private take(response: RawResponse): void {
    this.statuses.push(response.status);
    if (response.status === 204) return void expect(response.text).to.equal('');
    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.equal('application/json');
    this.frames.push(JSON.parse(response.text));
  }
}

describe('the examples of the JSON-RPC 2.0 specification, over HTTP', () => {
  let server: HttpServerHandle | undefined;
  let wire: HttpWire | undefined;

  afterEach(async () => {
    expect(wire?.statuses.length, 'each body was answered').to.be.greaterThan(0);
    await server?.close();
  });

  specExamples(async (serve) => {
    server = await serveHttp((connection) => serve(connection));
    wire = new HttpWire(server.url);
    return wire;
  });
});
