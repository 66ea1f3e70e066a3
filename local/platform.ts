/**
 * The local platform: in one process, the embedded DynamoDB engine, the local SES v2 endpoint,
 * the JWT authoriser emulation, the HTTP gateway, and every Lambda wired against them through
 * `local/wiring/<name>.ts`. A wiring module that is not written yet, or fails, is
 * reported and skipped, so the platform starts with whatever works.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../functions/core/clock.ts';
import type { HttpHandler } from '../functions/http/middleware.ts';
import { httpLambdaWiredBy, type HttpLambdaName } from '../functions/manifest.ts';
import type { LocalCampaignHealth, LocalEnv, LocalWiring, LocalWiringModule, SesEventListener, WiringName } from './env.ts';
import { WIRING_MODULES } from './env.ts';
import { DISCOVERY_FILE_NAME, writeDiscovery } from './discovery.ts';
import { ensureTable, localClientConfig, startDynamoEngine } from './dynamo-engine.ts';
import { startGateway } from './gateway.ts';
import { createLocalJwtAuthorizer, type SignInput } from './jwt-authorizer.ts';
import { startSesEndpoint, type SesEndpoint, type SesEndpointOptions } from './ses-endpoint.ts';

export interface PlatformOptions {
  /** Gateway port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Local SES v2 endpoint port; 0 picks a free one. @default 8005 */
  readonly sesPort?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Persist here: DynamoDB data, keys, the campaign queues and what the SES endpoint accepted;
   * a restart on it re-drives every started campaign. @default in memory, keys in `.local/keys`
   */
  readonly dataDir?: string;
  /** Which DynamoDB engine to embed. @default the engine module's default (dynalite) */
  readonly dynamoEngine?: 'dynalite' | 'dynamodb-local';
  /** @default systemClock */
  readonly clock?: Clock;
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** Quota and fault injection for the local SES endpoint (demo, benchmarks). @default no quota, no faults */
  readonly ses?: Pick<SesEndpointOptions, 'quotaPerSecond' | 'faults' | 'deliveryEvents'>;
  /** The ledger table name. @default 'disclosure-ledger' */
  readonly tableName?: string;
  /**
   * Write the discovery file (`local/discovery.ts`) here, and to `$dataDir/platform.json` when
   * persisting, so the CLI finds this platform with no flags. `npm start` passes `.local/platform.json`.
   * @default none (tests start many platforms)
   */
  readonly discoveryFile?: string;
  /** Campaign metrics (EMF lines) and auto-pause thresholds. @default no metrics, default thresholds */
  readonly campaignHealth?: LocalCampaignHealth;
}

/** How each wiring module fared: `wired`, `not wired yet`, or `failed: <reason>`. */
export type WiringStatus = Record<WiringName, string>;

export interface Platform {
  /** The gateway's base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** The SES endpoint's base URL (`GET <sesEndpoint>/store` lists sent emails). */
  readonly sesEndpoint: string;
  /** The SES endpoint's call counters. */
  readonly sesCounters: SesEndpoint['counters'];
  /** The local SES account's state (sandbox, identities, the call-fault switch): tests change it while running. */
  readonly sesAccount: SesEndpoint['account'];
  /** The DynamoDB engine's endpoint. */
  readonly dynamoEndpoint: string;
  readonly status: WiringStatus;
  readonly env: LocalEnv;
  /** Sign a local bearer token the gateway accepts. */
  sign(input: SignInput): Promise<string>;
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(import.meta.dirname, '..');

/** A wiring module, or undefined when its file does not exist (yet). */
const importWiring = async (name: WiringName): Promise<LocalWiringModule | undefined> => {
  const path = join(REPO_ROOT, 'local', 'wiring', `${name}.ts`);
  try {
    return (await import(pathToFileURL(path).href)) as LocalWiringModule;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    // Only this file missing means "not wired yet"; a missing import inside it is a real failure.
    if (code === 'ERR_MODULE_NOT_FOUND' && message?.includes(path)) return undefined;
    throw error;
  }
};

/** A port free on `host` right now: the kernel picks it for a listener that is closed at once. */
const freePort = (host: string): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });

const reasonOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Start everything; resolves when the gateway listens and every present module is wired. */
export const startPlatform = async (options: PlatformOptions = {}): Promise<Platform> => {
  const { dataDir, quiet = false, clock = systemClock, host = '127.0.0.1', tableName = 'disclosure-ledger' } = options;
  const log = (message: string): void => {
    if (!quiet) console.log(`[local] ${message}`);
  };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`shutdown step failed (${reasonOf(error)})`);
      }
    }
  };

  try {
    const keyDir = dataDir ? join(dataDir, 'keys') : join(REPO_ROOT, '.local', 'keys');
    mkdirSync(keyDir, { recursive: true });

    const engine = await startDynamoEngine({ ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}), ...(options.dynamoEngine ? { engine: options.dynamoEngine } : {}) });
    stops.push(() => engine.stop());
    const dynamoEndpoint = engine.endpoint;
    const client = new DynamoDBClient(localClientConfig(dynamoEndpoint));
    try {
      await ensureTable(client, tableName);
    } finally {
      client.destroy();
    }
    log(`DynamoDB engine (${engine.engine}) on ${dynamoEndpoint}, ${dataDir ? `persisted in ${dataDir}` : 'in memory'}, table ${tableName}`);

    const sesListeners: SesEventListener[] = [];
    const dispatchSesEvent = async (event: unknown): Promise<void> => {
      for (const listener of sesListeners) await listener(event);
    };
    const ses = await startSesEndpoint({
      ...options.ses,
      port: options.sesPort ?? 8005,
      host,
      onEvent: dispatchSesEvent,
      now: () => clock.now(),
      ...(dataDir ? { journal: join(dataDir, 'ses', 'accepted.jsonl') } : {}),
    });
    stops.push(() => ses.stop());
    const sesEndpoint = ses.endpoint;
    log(`SES v2 endpoint on ${sesEndpoint} (sent emails: ${sesEndpoint}/store)`);

    const authorizer = await createLocalJwtAuthorizer({ keyDir, clock });

    // Wiring modules need the gateway's URL for links, but the port opens only once every Lambda
    // is wired (no 503 "not wired" window): the port is chosen first, listened on last.
    const handlers: Partial<Record<HttpLambdaName, HttpHandler>> = {};
    const port = options.port === 0 ? await freePort(host) : (options.port ?? 3000);
    const publicBaseUrl = `http://${host}:${port}`;

    const env: LocalEnv = {
      dynamo: localClientConfig(dynamoEndpoint),
      tableName,
      sesEndpoint,
      publicBaseUrl,
      dataDir,
      keyDir,
      clock,
      log,
      onSesEvent: (listener) => {
        sesListeners.push(listener);
      },
      sesAccepted: () => ses.accepted(),
      shared: new Map(),
      ...(options.campaignHealth ? { campaignHealth: options.campaignHealth } : {}),
    };

    const status = {} as WiringStatus;
    for (const name of WIRING_MODULES) {
      let wiring: LocalWiring;
      try {
        const module = await importWiring(name);
        if (!module) {
          status[name] = 'not wired yet';
          log(`${name}: not wired yet`);
          continue;
        }
        wiring = await module.createLocal(env);
      } catch (error) {
        status[name] = `failed: ${reasonOf(error)}`;
        log(`${name}: ${status[name]}`);
        continue;
      }
      if (wiring.stop) stops.push(() => wiring.stop!());
      const servedLambda = httpLambdaWiredBy(name);
      if (wiring.handler && servedLambda) handlers[servedLambda] = wiring.handler;
      status[name] = 'wired';
      log(`${name}: wired`);
    }
    // After the recovery (in the campaigns wiring) and with the event listeners in place: the events
    // of emails SES accepted just before a kill, which never reached the queue, go out now, as SES's would.
    const republished = await ses.publishPending();
    if (republished > 0) log(`SES: events of ${republished} accepted email(s) a stop kept from the event queue published`);
    const gateway = await startGateway({
      port,
      host,
      handlers,
      clock,
      authorize: authorizer.authorizeRoute,
      onHandlerError: (lambda, errorName) => log(`${lambda}: handler threw ${errorName} (answered 500)`),
    });
    stops.push(() => gateway.close());
    log(`gateway on ${gateway.url}`);
    const discovery = { pid: process.pid, startedAt: new Date().toISOString(), url: gateway.url, dynamoEndpoint, tableName, sesEndpoint, keyDir, ...(dataDir ? { dataDir } : {}) };
    const discoveryFiles = [...(options.discoveryFile ? [options.discoveryFile] : []), ...(options.discoveryFile && dataDir ? [join(dataDir, DISCOVERY_FILE_NAME)] : [])];
    for (const file of discoveryFiles) {
      const remove = writeDiscovery(file, discovery);
      stops.push(async () => remove());
    }

    return {
      url: gateway.url,
      port: gateway.port,
      sesEndpoint,
      sesCounters: ses.counters,
      sesAccount: ses.account,
      dynamoEndpoint,
      status,
      env,
      sign: (input) => authorizer.sign(input),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
