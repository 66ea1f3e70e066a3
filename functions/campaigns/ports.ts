/**
 * The ports of the campaign engine: what the use cases (planner, sender, progress, choices,
 * sweeps, SES events) need of storage, queues, SES, the send quota and the event bus. The
 * DynamoDB adapters live in `./dynamodb/`, SQS in `./queue.ts`, SES in `./ses-mailer.ts`,
 * EventBridge in `./events.ts`; tests implement these interfaces in memory (`test/fakes/`).
 */
import type { AcceptanceStore } from '../ledger/store.ts';
import type { AudienceMember, AudienceQuery, NotificationEvidence, RecordedChoice } from '../ledger/types.ts';
import type { NotificationEvent } from './ses-event-types.ts';
import type {
  Campaign,
  CampaignSnapshot,
  ChoiceRecordedEvent,
  ClaimInput,
  ClaimOutcome,
  Counters,
  PlanAdvance,
  PlanCursor,
  RecipientRecord,
  SendKind,
} from './model.ts';

/** Reads a campaign (`META`). */
export interface CampaignReader {
  /** The campaign, or undefined; `fresh` reads past any cache (a run state that may just have changed). */
  getCampaign(campaignId: string, options?: { fresh?: boolean }): Promise<Campaign | undefined>;
}

/** Adds to the sharded `CNT#` counters. */
export interface CounterStore {
  /** ADD `deltas` to one counter shard (any number: taken modulo the shard count). */
  addCounters(campaignId: string, shard: number, deltas: Partial<Counters>): Promise<void>;
}

/** The campaign's own items: `META`, `PLAN#` checkpoints and `CNT#` counters. */
export interface CampaignStore extends CampaignReader, CounterStore {
  /** Create the campaign once; a second call answers the existing one (`created: false`). */
  createCampaign(campaign: Campaign): Promise<{ created: boolean; campaign: Campaign }>;
  /** Mark the campaign started once its planner messages are enqueued. */
  markStarted(campaignId: string, at: string): Promise<void>;
  /** The planner checkpoint of one region and shard. */
  getPlan(campaignId: string, region: string, shard: number): Promise<PlanCursor>;
  /** Checkpoint page `fromPage` and add its members to the audience; false when another planner got there first. */
  advancePlan(campaignId: string, region: string, shard: number, fromPage: number, next: PlanAdvance): Promise<boolean>;
  /** The campaign and its counters summed, or undefined. */
  snapshot(campaignId: string): Promise<CampaignSnapshot | undefined>;
}

/** A campaign's and an account's recipient, as a map key. */
export const recipientId = (campaignId: string, accountId: string): string => `${campaignId}\u0000${accountId}`;

/**
 * One SES call (chunk) of a send attempt: its items (one per recipient shard among its
 * recipients; a send message is one shard's, so usually one) hold what the call handed to SES and
 * what SES accepted.
 */
export interface SendCall {
  readonly campaignId: string;
  /** `callIdOf(attemptId, chunk)`; also the SES `call` tag. */
  readonly callId: string;
  readonly kind: SendKind;
}

/** A call's item in one recipient shard. */
export interface CallShard {
  readonly campaignId: string;
  readonly shard: number;
  readonly callId: string;
}

/** A call as a map key. */
export const callRef = (call: CallShard): string => `${call.campaignId}\u0000${call.shard}\u0000${call.callId}`;

/** One recipient SES accepted in a call. */
export interface AcceptedSend {
  readonly accountId: string;
  readonly messageId: string;
  /** ISO 8601. */
  readonly at: string;
}

/** The per-account recipient items and the send calls' items. */
export interface RecipientStore {
  /** Claim a recipient for one send attempt (never two live attempts, never after `sent`). */
  claimRecipient(input: ClaimInput): Promise<ClaimOutcome>;
  /** Note on the call's item that it is about to hand these recipients to SES. */
  markSubmitted(call: SendCall, accountIds: readonly string[], expiresAt: number): Promise<void>;
  /** SES did not take these entries: they are no longer in doubt. */
  clearSubmitted(call: SendCall, accountIds: readonly string[]): Promise<void>;
  /** What SES accepted in the call, on the call's item: the `sent` facts of its recipients (`functions/ledger/send-facts.ts`). */
  recordAccepted(call: SendCall, accepted: readonly AcceptedSend[]): Promise<void>;
  /** What SES accepted in each call (account → message id), by `callRef`; one consistent BatchGet. */
  acceptedInCalls(calls: readonly CallShard[]): Promise<Map<string, ReadonlyMap<string, string>>>;
  /** Notices' deliveries in the call's delivery log; answers the accounts newly kept (count those). */
  recordDeliveries(call: CallShard, deliveries: readonly { readonly accountId: string; readonly at: string }[]): Promise<string[]>;
  /** Give a claim back after a retryable failure. */
  releaseRecipient(campaignId: string, accountId: string, kind: SendKind, attemptId: string): Promise<void>;
  /** `sending` (this attempt) → `sent`; true when this call made the transition. */
  markSent(campaignId: string, accountId: string, kind: SendKind, attemptId: string, messageId: string, at: string): Promise<boolean>;
  /** `sending` (whichever attempt) → `sent`, from the email's first SES event; true when this call made it. */
  settleSent(campaignId: string, accountId: string, kind: SendKind, messageId: string, at: string): Promise<boolean>;
  /** `sending` (this attempt) → `failed` for good; true when this call made it. */
  markFailed(campaignId: string, accountId: string, kind: SendKind, attemptId: string, reason: string, at: string): Promise<boolean>;
  /** Recipients by `recipientId`, read consistently (absent ones are missing). */
  getRecipients(keys: readonly { campaignId: string; accountId: string }[]): Promise<Map<string, RecipientRecord>>;
  /**
   * Keep a delivery outcome once per recipient (`deliveredAt`, `deliveredMessageId` …, a bounce's
   * type): the item is that outcome's evidence (`functions/ledger/notification-evidence.ts`).
   * `kept`: this call wrote it (count it); `held`: the item holds this event of this message,
   * now or from before (else the evidence must be written on its own). Never on a notice still
   * `sending` (its attempt has not marked it yet, or crashed): that is answered `sending`, and
   * nothing is written, so the caller settles it first; unless `acceptedByCall` (its call's item
   * holds its `sent` facts, so it stays `sending` on its own item).
   */
  recordOutcome(
    campaignId: string,
    accountId: string,
    event: OutcomeEvent,
    messageId: string,
    at: string,
    bounce?: { readonly type: string; readonly subType: string },
    options?: { readonly acceptedByCall?: boolean },
  ): Promise<OutcomeKept>;
}

/** What `recordOutcome` did. */
export interface OutcomeKept {
  readonly kept: boolean;
  readonly held: boolean;
  /** The notice is still `sending`: nothing was kept. */
  readonly sending?: boolean;
}

/** The SES outcomes kept on a recipient after its send. */
export type OutcomeEvent = Exclude<NotificationEvent, 'sent'>;

/** Notes a recorded choice on the recipient item, for the campaign's sweeps. */
export interface RecipientChoiceStore {
  /** `onlyFirst` makes it a once-only gate (defaults). True if written. */
  markRecipient(campaignId: string, accountId: string, choice: RecordedChoice, onlyFirst: boolean): Promise<boolean>;
}

/** A recipient as the sweeps see it. */
export interface SweepRecipient {
  readonly accountId: string;
  readonly region?: string;
  readonly language?: string;
  /** Notice send status (`sent`, `failed`, `sending` …). */
  readonly status?: string;
  readonly reminderStatus?: string;
  /** Set once a choice (or the default) is recorded. */
  readonly choice?: string;
  /** A late enrolee: reminded and defaulted by the late-enrolment step, at its own deadline. */
  readonly late?: boolean;
}

/** A recount's tally: each recounted counter (`RECOUNTED` in `dynamodb/recount.ts`) as the recipient items say it. */
export type CounterTally = Readonly<Record<string, number>>;

/** Exact counters, recounted from the recipient items a page at a time (the scheduler's recount step). */
export interface CounterRecount {
  /** Flagged for a recount, or its plans are done but its sends and failures fall short of its audience. */
  unsettled(campaign: Campaign): Promise<boolean>;
  /** Flag a campaign for a recount at `at` (before a repair that may move what its counters missed). */
  flag(campaignId: string, at: string): Promise<void>;
  /** The counters as counted now (the correction left out): where a walk starts. */
  counted(campaign: Campaign): Promise<CounterTally>;
  /** One page (≤ `limit`) of one recipient shard added to `tally`, and where the shard continues. */
  tallyPage(campaign: Campaign, shard: number, tally: CounterTally, start: Record<string, unknown> | undefined, limit: number): Promise<{ tally: CounterTally; next?: Record<string, unknown> }>;
  /**
   * Write the correction that makes the counters say `truth`; with the walk's start, flag the
   * campaign again when its counters moved during the walk (or clear a flag raised before it).
   */
  correct(campaign: Campaign, truth: CounterTally, start?: { readonly before: CounterTally; readonly startedAt: string }, now?: string): Promise<CounterTally>;
}

/** Reads the recipients of a campaign, one shard page at a time. */
export interface SweepStore {
  recipients(campaignId: string, shard: number, cursor?: Record<string, unknown>, limit?: number): Promise<{ items: SweepRecipient[]; cursor?: Record<string, unknown> }>;
}

/** Where a sweep walk stands: pages finished so far, the cursor after the last one, whether a `once` walk is done. */
export interface SweepCheckpoint {
  readonly page: number;
  readonly cursor?: string;
  readonly done: boolean;
}

export interface CheckpointAdvance {
  /** The page number the caller read (`SweepCheckpoint.page`): the write is conditional on it. */
  readonly fromPage: number;
  /** The cursor after the page; absent when the walk is complete. */
  readonly next?: string;
  readonly processed: number;
  readonly complete: boolean;
  /** A complete `once` walk is noted done; a complete `repeat` walk starts over. */
  readonly once: boolean;
  readonly at: string;
}

/** The persisted checkpoints of the sweep walks (`sweep-steps.ts`), one per scope and step. */
export interface SweepCheckpointStore {
  getCheckpoint(scope: string, step: string): Promise<SweepCheckpoint>;
  /** Record a finished page; false when another run advanced the walk first. */
  advanceCheckpoint(scope: string, step: string, advance: CheckpointAdvance): Promise<boolean>;
}

/** Sends JSON messages; resolves once every message is durably enqueued. */
export interface Queue<T> {
  send(messages: readonly T[]): Promise<void>;
}

/** The one ledger function the planner needs (`AcceptanceStore.queryAudience`). */
export interface AudienceSource {
  queryAudience(input: AudienceQuery): Promise<{ members: AudienceMember[]; cursor?: string }>;
}

/** What recording a failed notice needs of the ledger: its evidence (`notified` is derived on read, not written). */
export type NoticeLedger = Pick<AcceptanceStore, 'appendEvidence'>;

/** Appends evidence that restates an SES event, in batches (`DynamoDbAcceptanceStore.appendEventEvidence`). */
export interface EventEvidenceLedger {
  appendEventEvidence(entries: readonly { accountId: string; noticeId: string; evidence: NotificationEvidence }[]): Promise<void>;
}

export interface BulkTemplate {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface BulkDestination {
  readonly to: string;
  /** JSON-serialisable; every string value already HTML-escaped by the caller. */
  readonly replacementData: Record<string, string>;
  readonly tags: Record<string, string>;
}

export interface BulkSendRequest {
  readonly template: BulkTemplate;
  readonly destinations: readonly BulkDestination[];
  readonly defaultTags: Record<string, string>;
}

/** What happened to one destination: sent, retry later (SES did not take it), or refused for good. */
export type EntryOutcome =
  | { readonly outcome: 'sent'; readonly messageId: string }
  | { readonly outcome: 'retry'; readonly status: string }
  | { readonly outcome: 'rejected'; readonly status: string }
  /** Not sent for our configuration (`ses-mailer.ts` `CONFIGURATION_FAULTS`): the campaign is blocked, the recipient kept. */
  | { readonly outcome: 'blocked'; readonly status: string; readonly reason: string };

/** Sends one bulk call; throws `RetryableSendError` when the whole call should be retried, `SendingBlockedError` for a configuration fault. */
export interface BulkMailer {
  sendBulk(request: BulkSendRequest): Promise<EntryOutcome[]>;
}

/**
 * Takes `n` units of a shared quota, waiting as long as needed. With `latestStartMs` (epoch ms) it
 * resolves `false`, taking nothing, when the units would only be free after it; anything else it
 * resolves with is informative.
 */
export interface RateLimiter {
  acquire(n: number, latestStartMs?: number): Promise<unknown>;
}

/** No quota (tests, and a local run without one). */
export const unlimited: RateLimiter = { acquire: async () => {} };

/** A choice whose `ChoiceRecorded` event may not be published yet: written before its evidence, removed after the publish. */
export interface OutboxEntry {
  readonly accountId: string;
  readonly noticeId: string;
  readonly campaignId: string;
  readonly seq: number;
  /** The evidence's `writer`: an entry whose writer lost the race for `seq` is discarded. */
  readonly writer: string;
  readonly at: string;
}

/** The outbox of `ChoiceRecorded` events (`OUTBOX#<shard>` items), drained page by page from an opaque cursor. */
export interface ChoiceOutbox {
  add(entry: OutboxEntry): Promise<void>;
  remove(entry: OutboxEntry): Promise<void>;
  /** Up to `limit` entries from `cursor` on (all shards in turn); `cursor` absent when the last shard is done. */
  page(input: { cursor?: string; limit: number }): Promise<{ entries: OutboxEntry[]; cursor?: string }>;
}

/** Publishes `ChoiceRecorded` events. */
export interface ChoiceEventPublisher {
  publish(events: readonly ChoiceRecordedEvent[]): Promise<void>;
}

/** The port the sender, the choice pages and the campaigns API use to get the choice-token signing key. */
export interface TokenKeyProvider {
  /** The key new links are signed with (the current one). */
  getKey(): Promise<Uint8Array>;
  /**
   * The keys a link may be signed with, current first, then the previous one (two-key rotation).
   * `reload` asks for a fresh read (a link signed with a key rotated in after the cache was filled).
   */
  getVerificationKeys(options?: { reload?: boolean }): Promise<readonly Uint8Array[]>;
}

/** Called at named points of the work; a test throws from it to simulate a crash there. */
export type FaultHook = (point: string) => void;

/** Where a late-affected account stands: noted by the accounts API, enrolled (emailed) by the scheduler, reminded. */
export type LateStage = 'noted' | 'enrolled' | 'reminded';

/** One late-affected account of a campaign (`CMP#<id>#LATE#<shard>` / `ACCT#<id>`). */
export interface LateMarker {
  readonly accountId: string;
  readonly stage: LateStage;
  /** ISO 8601: when the acceptance or contact was recorded. */
  readonly notedAt: string;
  /** ISO 8601: the recipient's own deadline, once enrolled. */
  readonly deadline?: string;
}

/** The sparse index of late-affected accounts, read page by page by the scheduler's enrolment step. */
export interface LateMarkerStore {
  /** Note (or note again) that an account became affected; an enrolled marker is not reset. */
  note(campaignId: string, accountId: string, at: string): Promise<void>;
  page(campaignId: string, shard: number, cursor?: Record<string, unknown>, limit?: number): Promise<{ items: LateMarker[]; cursor?: Record<string, unknown> }>;
  advance(campaignId: string, accountId: string, stage: LateStage, deadline?: string): Promise<void>;
  remove(campaignId: string, accountId: string): Promise<void>;
  /** Create the recipient item of a late enrolee (no send state yet) with its own deadline; false when it exists. */
  createLateRecipient(campaignId: string, accountId: string, fields: { region: string; language: string; deadline: string; at: string }): Promise<boolean>;
  /** A recipient that failed for want of a contact is given back to the sender (now late, with its own deadline); true when this call did it. */
  reviveNoContact(campaignId: string, accountId: string, deadline: string, at: string): Promise<boolean>;
}

/** Campaign control: the run state (pause, resume, block) and the send messages a paused campaign parks. */
export interface CampaignControlStore {
  /** Move the run state by `action` (`RUN_TRANSITIONS`); `moved` false when its current state does not allow it. */
  setRunState(campaignId: string, action: import('./model.ts').RunAction, at: string, reason?: string): Promise<{ moved: boolean; campaign: Campaign | undefined }>;
  /** Keep a send message until the campaign runs again (idempotent per queue message id). */
  park(campaignId: string, messageId: string, body: string, at: string): Promise<void>;
  parked(campaignId: string, cursor?: Record<string, unknown>): Promise<{ items: { messageId: string; body: string }[]; cursor?: Record<string, unknown> }>;
  unpark(campaignId: string, messageIds: readonly string[]): Promise<void>;
}
