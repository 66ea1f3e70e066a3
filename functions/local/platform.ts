/**
 * The local platform: in one process, the embedded DynamoDB engine, the local SES v2 endpoint,
 * the JWT authoriser emulation, the HTTP gateway, and every Lambda wired against them through
 * `functions/local/wiring/<name>.ts`. A piece that is not written yet is reported and skipped,
 * so the platform starts with whatever exists.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock, type Clock } from '../core/clock.ts';
import type { LambdaName } from '../routes.ts';
import type { LocalEnv, LocalWiring, LocalWiringModule, SesEventListener, WiringName } from './env.ts';
import { WIRING_MODULES } from './env.ts';
import { startGateway, type Authorize, type GatewayHandler } from './gateway.ts';

export interface PlatformOptions {
  /** Gateway port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Local SES v2 endpoint port; 0 picks a free one. @default 8005 */
  readonly sesPort?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Persist DynamoDB data and keys here. @default in memory, keys in `.local/keys` */
  readonly dataDir?: string;
  /** Which DynamoDB engine to embed. @default the engine module's default (dynalite) */
  readonly dynamoEngine?: 'dynalite' | 'dynamodb-local';
  /** @default systemClock */
  readonly clock?: Clock;
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** The ledger table name. @default 'disclosure-ledger' */
  readonly tableName?: string;
}

/** How each wiring module fared: `wired`, `not wired yet`, or `failed: <reason>`. */
export type WiringStatus = Record<WiringName, string>;

export interface Platform {
  /** The gateway's base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** The SES endpoint's base URL, or '' when the endpoint module is not there yet. */
  readonly sesEndpoint: string;
  /** The DynamoDB engine's endpoint, or '' when the engine module is not there yet. */
  readonly dynamoEndpoint: string;
  readonly status: WiringStatus;
  readonly env: LocalEnv;
  /** Sign a local bearer token (absent until the JWT authoriser emulation exists). */
  readonly sign?: (input: { sub: string; scope?: string; ttlSeconds?: number }) => Promise<string>;
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const LOCAL_REGION = 'us-east-1';
// dynalite and DynamoDB Local accept any credentials; the SDK still insists on having some.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Import one of our modules, or undefined when that file does not exist (yet). */
const importIfPresent = async <T>(path: string): Promise<T | undefined> => {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as T;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'ERR_MODULE_NOT_FOUND' && message?.includes(path)) return undefined;
    throw error;
  }
};

interface DynamoEngineModule {
  startDynamoEngine(options: { dataDir?: string; engine?: 'dynalite' | 'dynamodb-local' }): Promise<{ endpoint: string; stop(): Promise<void> }>;
  ensureTable(client: unknown, tableName: string): Promise<unknown>;
}
interface SesEndpointModule {
  startSesEndpoint(options: { port: number; onEvent?: (event: unknown) => void | Promise<void> }): Promise<{ endpoint: string; stop(): Promise<void> }>;
}
interface JwtAuthorizerModule {
  createLocalJwtAuthorizer(options: { keyDir: string }): Promise<{
    authorize: Authorize;
    sign(input: { sub: string; scope?: string; ttlSeconds?: number }): Promise<string>;
  }>;
}

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

    let dynamoEndpoint = '';
    const dynamoModule = await importIfPresent<DynamoEngineModule>(join(REPO_ROOT, 'functions/local/dynamo-engine.ts'));
    if (dynamoModule) {
      const engine = await dynamoModule.startDynamoEngine({ ...(dataDir ? { dataDir } : {}), ...(options.dynamoEngine ? { engine: options.dynamoEngine } : {}) });
      stops.push(() => engine.stop());
      dynamoEndpoint = engine.endpoint;
      // Only the platform needs the SDK here; it is loaded lazily so a bare notices setup stays light.
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      try {
        await dynamoModule.ensureTable(client, tableName);
      } finally {
        client.destroy();
      }
      log(`DynamoDB engine on ${dynamoEndpoint} (${dataDir ? `persisted in ${dataDir}` : 'in memory'}), table ${tableName}`);
    } else {
      log('DynamoDB engine: not available yet (functions/local/dynamo-engine.ts missing)');
    }

    const sesListeners: SesEventListener[] = [];
    const dispatchSesEvent = async (event: unknown): Promise<void> => {
      for (const listener of sesListeners) await listener(event);
    };
    let sesEndpoint = '';
    const sesModule = await importIfPresent<SesEndpointModule>(join(REPO_ROOT, 'functions/local/ses-endpoint.ts'));
    if (sesModule) {
      const ses = await sesModule.startSesEndpoint({ port: options.sesPort ?? 8005, onEvent: dispatchSesEvent });
      stops.push(() => ses.stop());
      sesEndpoint = ses.endpoint;
      log(`SES v2 endpoint on ${sesEndpoint} (sent emails: ${sesEndpoint}/store)`);
    } else {
      log('SES endpoint: not available yet (functions/local/ses-endpoint.ts missing)');
    }

    let authorizer: Awaited<ReturnType<JwtAuthorizerModule['createLocalJwtAuthorizer']>> | undefined;
    const jwtModule = await importIfPresent<JwtAuthorizerModule>(join(REPO_ROOT, 'functions/local/jwt-authorizer.ts'));
    if (jwtModule) authorizer = await jwtModule.createLocalJwtAuthorizer({ keyDir });
    else log('JWT authoriser: not available yet (functions/local/jwt-authorizer.ts missing); account and admin routes answer 401');

    // The handler map is filled after the gateway listens: wiring modules need its URL for links.
    const handlers: Partial<Record<LambdaName, GatewayHandler>> = {};
    const gateway = await startGateway({
      port: options.port ?? 3000,
      host,
      handlers,
      clock,
      ...(authorizer ? { authorize: authorizer.authorize } : {}),
      onHandlerError: (lambda, errorName) => log(`${lambda}: handler threw ${errorName} (answered 500)`),
    });
    stops.push(() => gateway.close());

    const env: LocalEnv = {
      dynamo: { endpoint: dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
      tableName,
      sesEndpoint,
      publicBaseUrl: gateway.url,
      dataDir,
      keyDir,
      clock,
      log,
      onSesEvent: (listener) => {
        sesListeners.push(listener);
      },
      shared: new Map(),
    };

    const status = {} as WiringStatus;
    for (const name of WIRING_MODULES) {
      let wiring: LocalWiring;
      try {
        const module = await importIfPresent<LocalWiringModule>(join(REPO_ROOT, `functions/local/wiring/${name}.ts`));
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
      if (wiring.handler && name !== 'workers') handlers[name] = wiring.handler;
      status[name] = 'wired';
      log(`${name}: wired`);
    }
    log(`gateway on ${gateway.url}`);

    return {
      url: gateway.url,
      port: gateway.port,
      sesEndpoint,
      dynamoEndpoint,
      status,
      env,
      ...(authorizer ? { sign: (input: { sub: string; scope?: string; ttlSeconds?: number }) => authorizer.sign(input) } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
