/**
 * The local SES v2 endpoint: `aws-ses-v2-local` (in process; `GET /store` lists the emails sent)
 * behind a small proxy that behaves like the parts of SES the campaign engine must cope with:
 * a recipients-per-second send quota (429 `TooManyRequestsException` beyond it), injected
 * throttling, transient 5xx errors and per-entry failures (deterministic for a seed), call
 * counters, and the configuration-set events real SES publishes to EventBridge (`Send`, then
 * `Delivery`, with `mail.tags`).
 *
 * Note: aws-ses-v2-local keeps its store in module state, so endpoints in one process share it.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SesFaults {
  /** Share of send calls answered 429 `TooManyRequestsException`. @default 0 */
  readonly throttleRate?: number;
  /** Share of send calls answered 500 (nothing sent). @default 0 */
  readonly transientRate?: number;
  /** Share of bulk entries answered `TRANSIENT_FAILURE`/`ACCOUNT_THROTTLED` (those entries not sent). @default 0 */
  readonly entryFailureRate?: number;
  /** Seed of the fault sequence. @default 1 */
  readonly seed?: number;
}

/** An SES event as EventBridge delivers it (the SES-events Lambda's input). */
export interface SesEventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: 'aws.ses';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: {
    readonly eventType: 'Send' | 'Delivery';
    readonly mail: {
      readonly timestamp: string;
      readonly source: string;
      readonly messageId: string;
      readonly destination: string[];
      readonly tags: Record<string, string[]>;
    };
    readonly send?: Record<string, never>;
    readonly delivery?: { timestamp: string; processingTimeMillis: number; recipients: string[]; smtpResponse: string; reportingMTA: string };
  };
}

export interface SesEndpointOptions {
  /** 0 for a random port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Recipients per second (a token bucket holding one second of quota); unlimited when absent. */
  readonly quotaPerSecond?: number;
  readonly faults?: SesFaults;
  /** Receives the configuration-set events; errors it throws are swallowed (like an event bus). */
  readonly onEvent?: (event: SesEventBridgeEvent) => void | Promise<void>;
  /** Emit `Delivery` after `Send`. @default true */
  readonly deliveryEvents?: boolean;
}

export interface SesEndpointCounters {
  /** Send calls received (bulk and single), including refused ones. */
  calls: number;
  bulkCalls: number;
  throttled: number;
  transient: number;
  entryFailures: number;
  /** Recipients SES accepted (stored). */
  accepted: number;
}

export interface SesEndpoint {
  /** Base URL for `SESv2Client({ endpoint })` and `GET /store`. */
  readonly endpoint: string;
  readonly counters: SesEndpointCounters;
  stop(): Promise<void>;
}

/** mulberry32: small, fast, deterministic; fault injection only. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

const sendError = (response: ServerResponse, status: number, type: string, message: string): void => {
  const body = JSON.stringify({ message });
  response.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
};

interface BulkEntry {
  Destination?: { ToAddresses?: string[] };
  ReplacementTags?: { Name: string; Value: string }[];
}
interface BulkRequest {
  BulkEmailEntries?: BulkEntry[];
  DefaultEmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
  FromEmailAddress?: string;
}
interface SingleRequest {
  Destination?: { ToAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
  FromEmailAddress?: string;
}

const BULK_PATH = '/v2/email/outbound-bulk-emails';
const SINGLE_PATH = '/v2/email/outbound-emails';

/** Start aws-ses-v2-local on a private port and the SES-like proxy on `port`. */
export const startSesEndpoint = async (options: SesEndpointOptions): Promise<SesEndpoint> => {
  const host = options.host ?? '127.0.0.1';
  const module = (await import('aws-ses-v2-local')) as unknown as { default: unknown };
  const startUpstream = ((module.default as { default?: unknown }).default ?? module.default) as (config: { host: string; port: number }) => Promise<http.Server>;
  const upstream = await startUpstream({ host: '127.0.0.1', port: 0 });
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const counters: SesEndpointCounters = { calls: 0, bulkCalls: 0, throttled: 0, transient: 0, entryFailures: 0, accepted: 0 };
  const random = seededRandom(options.faults?.seed ?? 1);
  const faults = { throttleRate: 0, transientRate: 0, entryFailureRate: 0, ...options.faults };
  const quota = options.quotaPerSecond;
  let tokens = quota ?? 0;
  let refilledAt = Date.now();

  /** Token bucket: one second of quota, refilled continuously, as SES's maximum send rate behaves. */
  const takeQuota = (n: number): boolean => {
    if (quota === undefined) return true;
    const now = Date.now();
    tokens = Math.min(quota, tokens + ((now - refilledAt) / 1000) * quota);
    refilledAt = now;
    if (tokens < n) return false;
    tokens -= n;
    return true;
  };

  const forward = (method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port: upstreamPort, method, path, agent, headers: { ...headers, host: `127.0.0.1:${upstreamPort}`, 'content-length': String(body.length) } },
        (response) => {
          readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  const emit = (eventType: 'Send' | 'Delivery', messageId: string, to: string, from: string, tags: Record<string, string[]>): void => {
    if (!options.onEvent) return;
    const now = new Date().toISOString();
    const event: SesEventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': eventType === 'Send' ? 'Email Sent' : 'Email Delivered',
      source: 'aws.ses',
      account: '000000000000',
      time: now,
      region: 'local',
      resources: [],
      detail: {
        eventType,
        mail: { timestamp: now, source: from, messageId, destination: [to], tags },
        ...(eventType === 'Send'
          ? { send: {} }
          : { delivery: { timestamp: now, processingTimeMillis: 0, recipients: [to], smtpResponse: '250 2.0.0 OK', reportingMTA: 'local' } }),
      },
    };
    try {
      void Promise.resolve(options.onEvent(event)).catch(() => {});
    } catch {
      // An event bus does not fail the send.
    }
  };

  const emitFor = (messageId: string, to: string, from: string, configurationSet: string | undefined, tagList: { Name: string; Value: string }[]) => {
    const tags: Record<string, string[]> = {};
    for (const tag of tagList) tags[tag.Name] = [tag.Value];
    if (configurationSet) tags['ses:configuration-set'] = [configurationSet];
    emit('Send', messageId, to, from, tags);
    if (options.deliveryEvents !== false) emit('Delivery', messageId, to, from, tags);
  };

  const handleSend = async (request: IncomingMessage, response: ServerResponse, path: string, body: Buffer): Promise<void> => {
    counters.calls++;
    let parsed: BulkRequest & SingleRequest;
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      parsed = {};
    }
    const bulk = path === BULK_PATH;
    if (bulk) counters.bulkCalls++;
    const entries = bulk ? (parsed.BulkEmailEntries ?? []) : [{ Destination: parsed.Destination, ReplacementTags: parsed.EmailTags }];
    if (random() < faults.throttleRate || !takeQuota(entries.length)) {
      counters.throttled++;
      return sendError(response, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    }
    if (random() < faults.transientRate) {
      counters.transient++;
      return sendError(response, 500, 'InternalFailure', 'An internal error occurred.');
    }
    if (!bulk) {
      const upstreamResponse = await forward('POST', path, request.headers, body);
      if (upstreamResponse.status === 200) {
        const messageId = String(JSON.parse(upstreamResponse.body.toString('utf8')).MessageId ?? '');
        counters.accepted++;
        emitFor(messageId, parsed.Destination?.ToAddresses?.[0] ?? '', parsed.FromEmailAddress ?? '', parsed.ConfigurationSetName, parsed.EmailTags ?? []);
      }
      response.writeHead(upstreamResponse.status, { 'Content-Type': 'application/json' });
      response.end(upstreamResponse.body);
      return;
    }
    // Per-entry failures are decided before forwarding: SES does not send an entry it reports as failed.
    const failedIndexes = new Set<number>();
    entries.forEach((_, index) => {
      if (random() < faults.entryFailureRate) failedIndexes.add(index);
    });
    const forwardedEntries = entries.filter((_, index) => !failedIndexes.has(index));
    let forwardedResults: { Status?: string; MessageId?: string; Error?: string }[] = [];
    if (forwardedEntries.length > 0) {
      const upstreamResponse = await forward('POST', path, request.headers, Buffer.from(JSON.stringify({ ...parsed, BulkEmailEntries: forwardedEntries })));
      if (upstreamResponse.status !== 200) {
        response.writeHead(upstreamResponse.status, { 'Content-Type': 'application/json' });
        response.end(upstreamResponse.body);
        return;
      }
      forwardedResults = JSON.parse(upstreamResponse.body.toString('utf8')).BulkEmailEntryResults ?? [];
    }
    let next = 0;
    const results = entries.map((entry, index) => {
      if (failedIndexes.has(index)) {
        counters.entryFailures++;
        return { Status: index % 2 === 0 ? 'TRANSIENT_FAILURE' : 'ACCOUNT_THROTTLED', Error: 'injected' };
      }
      const result = forwardedResults[next++] ?? { Status: 'FAILED', Error: 'no result' };
      if (result.Status === 'SUCCESS' && result.MessageId) {
        counters.accepted++;
        emitFor(result.MessageId, entry.Destination?.ToAddresses?.[0] ?? '', parsed.FromEmailAddress ?? '', parsed.ConfigurationSetName, [
          ...(parsed.DefaultEmailTags ?? []).filter((tag) => !(entry.ReplacementTags ?? []).some((r) => r.Name === tag.Name)),
          ...(entry.ReplacementTags ?? []),
        ]);
      }
      return result;
    });
    const payload = JSON.stringify({ BulkEmailEntryResults: results });
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    response.end(payload);
  };

  const proxy = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    readBody(request)
      .then(async (body) => {
        if (request.method === 'POST' && (path === BULK_PATH || path === SINGLE_PATH)) return handleSend(request, response, path, body);
        const upstreamResponse = await forward(request.method ?? 'GET', request.url ?? '/', request.headers, body);
        const headers = { ...upstreamResponse.headers };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(upstreamResponse.body.length);
        response.writeHead(upstreamResponse.status, headers);
        response.end(upstreamResponse.body);
      })
      .catch(() => {
        if (!response.headersSent) sendError(response, 502, 'InternalFailure', 'local SES upstream failed');
        else response.destroy();
      });
  });
  proxy.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(options.port, host, () => resolve());
  });
  const port = (proxy.address() as AddressInfo).port;

  return {
    endpoint: `http://${host}:${port}`,
    counters,
    async stop() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      agent.destroy();
      upstream.closeAllConnections?.();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    },
  };
};
