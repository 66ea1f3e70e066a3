/**
 * The contract between the local platform (`local/platform.ts`) and the wiring modules
 * in `local/wiring/<name>.ts`. Each wiring module builds one Lambda's dependencies
 * against the local engines (the same `makeHandler(deps)` the Lambda uses, with local clients)
 * and returns its HTTP handler and/or a stop function for background workers.
 */
import type { Clock } from '../functions/core/clock.ts';
import { WIRING_MODULE_NAMES, type WiringName } from '../functions/manifest.ts';
import type { HttpHandler } from '../functions/http/middleware.ts';
import type { AcceptedMail } from './ses/journal.ts';
import type { CampaignMetrics } from '../functions/campaigns/metrics.ts';
import type { ReputationThresholds } from '../functions/campaigns/auto-pause.ts';

/** Campaign health on the local platform: metrics (off by default: `npm start` prints none) and the auto-pause thresholds. */
export interface LocalCampaignHealth {
  readonly metrics?: CampaignMetrics;
  readonly reputation?: ReputationThresholds;
}

/** A configuration-set event emitted by the local SES endpoint (EventBridge `detail` shape). */
export type SesEventListener = (event: unknown) => void | Promise<void>;

export interface LocalEnv {
  /** The embedded DynamoDB engine; pass these straight to `new DynamoDBClient(...)`. */
  readonly dynamo: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** The ledger table, already created by the platform. */
  readonly tableName: string;
  /** Base URL of the local SES v2 endpoint (`GET <sesEndpoint>/store` lists sent emails). */
  readonly sesEndpoint: string;
  /** Base URL of the local gateway, for links in emails (choice pages, notices). */
  readonly publicBaseUrl: string;
  /** Where state is persisted; undefined when everything is in memory. */
  readonly dataDir: string | undefined;
  /** Directory for locally generated keys (JWT signing key, choice-token secret). Exists. */
  readonly keyDir: string;
  readonly clock: Clock;
  /** Log one line for a human; never pass an email address, a token or a request body. */
  log(message: string): void;
  /** Subscribe to the SES configuration-set events (Send, Delivery, Bounce, Complaint …). */
  onSesEvent(listener: SesEventListener): void;
  /** What the local SES endpoint accepted (kept only with `dataDir`): a restart reconciles in-flight recipients with it. */
  sesAccepted(): readonly AcceptedMail[];
  /**
   * In-process resources wiring modules share (e.g. the campaign queues used by both
   * `campaigns-api` and `workers`); key them by the owning module's name. Modules are loaded in
   * `WIRING_MODULES` order, so create-if-absent from either side.
   */
  readonly shared: Map<string, unknown>;
  /** Metrics and auto-pause thresholds for the campaign workers and the choices. @default no metrics, default thresholds */
  readonly campaignHealth?: LocalCampaignHealth;
}

/** What a wiring module's `createLocal(env)` returns. */
export interface LocalWiring {
  /** The HTTP handler for the Lambda of the same name (absent for background-only modules). */
  readonly handler?: HttpHandler;
  /** Stop background work (pollers, timers); called once on platform shutdown. */
  stop?(): Promise<void>;
}

/** The shape of `local/wiring/<name>.ts`. */
export interface LocalWiringModule {
  createLocal(env: LocalEnv): Promise<LocalWiring>;
}

/** The wiring modules, in load order, from the Lambda manifest; those named like an HTTP Lambda serve its routes. */
export const WIRING_MODULES: readonly WiringName[] = WIRING_MODULE_NAMES;
export type { WiringName };
