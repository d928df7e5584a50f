/** Raw HTTP requests for the HTTP specs: any method, headers and body, on a kept-alive agent or not. */
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  /** Written whole, or as these chunks (chunked encoding unless a Content-Length is given). */
  body?: string | Buffer | readonly (string | Buffer)[];
  agent?: Agent | false;
}

/** One request; resolves with the whole response, rejects on a socket error. */
export function http(url: string, options: RawRequest = {}): Promise<RawResponse> {
  const { method = 'POST', body, agent = false } = options;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    if (Array.isArray(body)) {
      for (const chunk of body) outgoing.write(chunk);
      outgoing.end();
    } else {
      outgoing.end(body as string | Buffer | undefined);
    }
  });
}

/** POSTs a JSON body and parses the JSON answer (undefined for an empty body). */
export async function postJson(
  url: string,
  body: unknown,
  headers?: Record<string, string>,
): Promise<{ status: number; json: unknown; headers: IncomingHttpHeaders }> {
  const response = await http(url, { body: JSON.stringify(body), headers });
  return {
    status: response.status,
    headers: response.headers,
    json: response.text === '' ? undefined : (JSON.parse(response.text) as unknown),
  };
}
