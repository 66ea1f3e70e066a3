/**
 * The local SES v2 endpoint: `aws-ses-v2-local` (in process; `GET /store` lists the emails sent)
 * behind a small proxy that behaves like the parts of SES the campaign engine must cope with:
 * a recipients-per-second send quota (429 `TooManyRequestsException` beyond it), injected
 * throttling, transient 5xx errors and per-entry failures (deterministic for a seed), call
 * counters, and the configuration-set events the deployed configuration set publishes to
 * EventBridge (`Delivery`, with `mail.tags`; no `Send`, as deployed).
 *
 * The parts live in `ses/`: `faults.ts` (quota and fault injection), `events.ts` (the events),
 * `upstream.ts` (the emulator and its store). Endpoints in one process share that store.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SesAccountState } from './ses/account.ts';
import { sesEventEmitter, entryTags, type SentMail, type SesEventBridgeEvent, type SesTag } from './ses/events.ts';
import { FaultInjector, SendQuota, type SesFaults } from './ses/faults.ts';
import { type AcceptedMail, AcceptedJournal } from './ses/journal.ts';
import { readBody, startSesUpstream, type UpstreamResponse } from './ses/upstream.ts';

export type { SesEventBridgeEvent } from './ses/events.ts';
export type { AcceptedMail } from './ses/journal.ts';
export { SES_CALL_FAULTS, type SesCallFault, SesAccountState } from './ses/account.ts';

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
  /** Emit the `Delivery` of an ordinary address (without it, only simulator addresses get events). @default true */
  readonly deliveryEvents?: boolean;
  /** The events' timestamps (the platform's clock, so evidence times agree). @default the system clock */
  readonly now?: () => Date;
  /**
   * Keep what SES accepted in this append-only file (`DATA_DIR`): the store (`GET /store`)
   * survives a `kill -9`, and a restart knows which recipients SES took. @default in memory
   */
  readonly journal?: string;
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
  /** Calls refused for the account's configuration (fault switch, unverified identity, sandbox, paused). */
  refused: number;
}

export interface SesEndpoint {
  /** Base URL for `SESv2Client({ endpoint })` and `GET /store`. */
  readonly endpoint: string;
  readonly counters: SesEndpointCounters;
  /** The account state `GetAccount`/`GetEmailIdentity` answer and sends obey; tests change it while running. */
  readonly account: SesAccountState;
  /** With `journal`: every recipient SES accepted since the journal began, with its tags; else empty. */
  accepted(): readonly AcceptedMail[];
  /**
   * With `journal`: publish the events of every accepted recipient a stop kept from reaching
   * `onEvent` (call it once the listeners are in place); answers how many recipients' events went out.
   */
  publishPending(): Promise<number>;
  stop(): Promise<void>;
}

const sendError = (response: ServerResponse, status: number, type: string, message: string): void => {
  const body = JSON.stringify({ message });
  response.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
};

/** Answer with the upstream's status and body as JSON. */
const relayJson = (response: ServerResponse, upstream: UpstreamResponse): void => {
  response.writeHead(upstream.status, { 'Content-Type': 'application/json' });
  response.end(upstream.body);
};

interface BulkEntry {
  Destination?: { ToAddresses?: string[] };
  ReplacementTags?: SesTag[];
}
interface BulkRequest {
  BulkEmailEntries?: BulkEntry[];
  DefaultEmailTags?: SesTag[];
  ConfigurationSetName?: string;
  FromEmailAddress?: string;
}
interface SingleRequest {
  Destination?: { ToAddresses?: string[] };
  EmailTags?: SesTag[];
  ConfigurationSetName?: string;
  FromEmailAddress?: string;
}
interface EntryResult {
  Status?: string;
  MessageId?: string;
  Error?: string;
}

const BULK_PATH = '/v2/email/outbound-bulk-emails';
const ACCOUNT_PATH = '/v2/email/account';
const IDENTITY_PREFIX = '/v2/email/identities/';
const SINGLE_PATH = '/v2/email/outbound-emails';

/** Start aws-ses-v2-local on a private port and the SES-like proxy on `port`. */
export const startSesEndpoint = async (options: SesEndpointOptions): Promise<SesEndpoint> => {
  const host = options.host ?? '127.0.0.1';
  const upstream = await startSesUpstream();
  const counters: SesEndpointCounters = { calls: 0, bulkCalls: 0, throttled: 0, transient: 0, entryFailures: 0, accepted: 0, refused: 0 };
  const account = new SesAccountState(options.quotaPerSecond);
  const faults = new FaultInjector(options.faults);
  const quota = new SendQuota(options.quotaPerSecond);
  const emitEvents = sesEventEmitter(options);
  const journal = new AcceptedJournal(options.journal);
  // Recorded before SES answers or emits anything: what the journal holds is what SES accepted;
  // noted again once its events are on the queue, so a kill in between publishes them at the next start.
  const emit = (mail: SentMail): void => {
    journal.record(mail);
    void emitEvents(mail).then((published) => {
      if (published) journal.published(mail.messageId);
    });
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
    if (faults.throttles() || !quota.take(entries.length)) {
      counters.throttled++;
      return sendError(response, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    }
    if (faults.failsTransiently()) {
      counters.transient++;
      return sendError(response, 500, 'InternalFailure', 'An internal error occurred.');
    }
    const from = parsed.FromEmailAddress ?? '';
    const configurationSet = parsed.ConfigurationSetName;
    const refusal = account.refusalOf(from, entries.map((entry) => entry.Destination?.ToAddresses?.[0] ?? ''));
    if (refusal) {
      counters.refused++;
      return sendError(response, refusal.status, refusal.name, refusal.message);
    }
    if (!bulk) {
      const upstreamResponse = await upstream.forward('POST', path, request.headers, body);
      if (upstreamResponse.status === 200) {
        const messageId = String(JSON.parse(upstreamResponse.body.toString('utf8')).MessageId ?? '');
        counters.accepted++;
        account.noteSent(1);
        emit({ messageId, to: parsed.Destination?.ToAddresses?.[0] ?? '', from, configurationSet, tags: parsed.EmailTags ?? [] });
      }
      return relayJson(response, upstreamResponse);
    }
    // Per-entry failures are decided before forwarding: SES does not send an entry it reports as failed.
    const failedIndexes = new Set<number>();
    entries.forEach((_, index) => {
      if (faults.failsEntry()) failedIndexes.add(index);
    });
    const forwardedEntries = entries.filter((_, index) => !failedIndexes.has(index));
    let forwardedResults: EntryResult[] = [];
    if (forwardedEntries.length > 0) {
      const upstreamResponse = await upstream.forward('POST', path, request.headers, Buffer.from(JSON.stringify({ ...parsed, BulkEmailEntries: forwardedEntries })));
      if (upstreamResponse.status !== 200) return relayJson(response, upstreamResponse);
      forwardedResults = JSON.parse(upstreamResponse.body.toString('utf8')).BulkEmailEntryResults ?? [];
    }
    let next = 0;
    const results = entries.map((entry, index): EntryResult => {
      if (failedIndexes.has(index)) {
        counters.entryFailures++;
        return { Status: index % 2 === 0 ? 'TRANSIENT_FAILURE' : 'ACCOUNT_THROTTLED', Error: 'injected' };
      }
      const result = forwardedResults[next++] ?? { Status: 'FAILED', Error: 'no result' };
      if (result.Status === 'SUCCESS' && result.MessageId) {
        counters.accepted++;
        account.noteSent(1);
        const tags = entryTags(parsed.DefaultEmailTags ?? [], entry.ReplacementTags ?? []);
        emit({ messageId: result.MessageId, to: entry.Destination?.ToAddresses?.[0] ?? '', from, configurationSet, tags });
      }
      return result;
    });
    const payload = JSON.stringify({ BulkEmailEntryResults: results });
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    response.end(payload);
  };

  /** `GetAccount` and `GetEmailIdentity`, answered from the account state (the fault switch refuses them too). */
  const handleAccountRead = (response: ServerResponse, path: string): void => {
    const fault = account.readFault;
    if (fault) return sendError(response, fault.status, fault.name, fault.message);
    const payload = JSON.stringify(path === ACCOUNT_PATH ? account.getAccount() : account.getEmailIdentity(decodeURIComponent(path.slice(IDENTITY_PREFIX.length))));
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    response.end(payload);
  };

  const proxy = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    readBody(request)
      .then(async (body) => {
        if (request.method === 'POST' && (path === BULK_PATH || path === SINGLE_PATH)) return handleSend(request, response, path, body);
        if (request.method === 'GET' && (path === ACCOUNT_PATH || path.startsWith(IDENTITY_PREFIX))) return handleAccountRead(response, path);
        const upstreamResponse = await upstream.forward(request.method ?? 'GET', request.url ?? '/', request.headers, body);
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
    account,
    accepted: () => journal.accepted(),
    async publishPending() {
      let published = 0;
      for (const mail of journal.pending()) {
        if (!(await emitEvents(mail))) continue;
        journal.published(mail.messageId);
        published++;
      }
      return published;
    },
    async stop() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await upstream.stop();
    },
  };
};
