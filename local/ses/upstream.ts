/**
 * aws-ses-v2-local, the SES v2 emulator the local endpoint stands in front of: started on a
 * private port, spoken to over a keep-alive agent. It keeps its store (`GET /store`) in module
 * state, so endpoints in one process share it.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An upstream answer, read in full. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface SesUpstream {
  /** Send one request to the emulator as it came (`host` and `content-length` set for it). */
  forward(method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<UpstreamResponse>;
  stop(): Promise<void>;
}

/** A request's or response's whole body. */
export const readBody = (message: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });

/** The emulator's start function, wherever the loader put it. */
const loadEmulator = async (): Promise<(config: { host: string; port: number }) => Promise<http.Server>> => {
  const loaded = await import('aws-ses-v2-local');
  // Node hands a CommonJS module's `exports` over as `default` (so the function is `default.default`);
  // tsx and vitest unwrap modules marked `__esModule` and hand over the function itself.
  const exported: typeof loaded.default | typeof loaded.default.default = loaded.default;
  return typeof exported === 'function' ? exported : exported.default;
};

/** Start the emulator on 127.0.0.1 and a free port. */
export const startSesUpstream = async (): Promise<SesUpstream> => {
  const startEmulator = await loadEmulator();
  const server = await startEmulator({ host: '127.0.0.1', port: 0 });
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    forward: (method, path, headers, body) =>
      new Promise((resolve, reject) => {
        const request = http.request(
          { host: '127.0.0.1', port, method, path, agent, headers: { ...headers, host: `127.0.0.1:${port}`, 'content-length': String(body.length) } },
          (response) => {
            readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      }),
    async stop() {
      agent.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
