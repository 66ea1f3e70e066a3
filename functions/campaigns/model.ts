/**
 * The campaign domain model: a campaign and its regions, the planner checkpoint, the recipient's
 * send state, the counters, and the choice events. Types and pure helpers only: no SDK, no I/O.
 */
import { CHOICE_COUNTERS, type ChoiceOption } from '../core/choice-options.ts';
import type { RegionNotification } from '../core/audience.ts';

/** What a send message is for: the change notice itself, or the reminder before the deadline. */
export type SendKind = 'notice' | 'reminder';

export interface CampaignRegion {
  readonly region: string;
  readonly notification: RegionNotification;
  readonly options: readonly ChoiceOption[];
}

export interface Campaign {
  readonly campaignId: string;
  readonly noticeId: string;
  readonly version: number;
  /** ISO 8601; the choice tokens expire then and the default applies. */
  readonly deadline: string;
  readonly regions: readonly CampaignRegion[];
  readonly createdAt: string;
  /** `created` until the planner messages are enqueued, then `started`. */
  readonly status: 'created' | 'started';
  /** Whether a started campaign may send, remind and default; absent = running. */
  readonly run?: RunState;
}

/**
 * The run state of a campaign, a small state machine: `running` sends; `paused` (an operator)
 * and `blocked` (a configuration fault) send nothing, remind and default nobody, and hand their
 * work back to wait. A new state is a row in `RUN_STATES` and its transitions in `RUN_TRANSITIONS`.
 */
export const RUN_STATES = ['running', 'paused', 'blocked'] as const;
export type RunStatus = (typeof RUN_STATES)[number];
export interface RunState {
  readonly status: RunStatus;
  /** Why it is not running (an operator's note, the fault). */
  readonly reason?: string;
  /** ISO 8601: when it entered this state. */
  readonly at: string;
}
export type RunAction = 'pause' | 'resume' | 'block';
/** From which states an action may move a campaign, and to which. */
export const RUN_TRANSITIONS: Readonly<Record<RunAction, { readonly from: readonly RunStatus[]; readonly to: RunStatus }>> = {
  pause: { from: ['running', 'blocked'], to: 'paused' },
  resume: { from: ['paused', 'blocked'], to: 'running' },
  block: { from: ['running'], to: 'blocked' },
};
/** The campaign's run status (`running` when never paused). */
export const runStatusOf = (campaign: Pick<Campaign, 'run'>): RunStatus => campaign.run?.status ?? 'running';
/** True when the campaign may send, remind and default now. */
export const isRunning = (campaign: Pick<Campaign, 'run'>): boolean => runStatusOf(campaign) === 'running';

export interface PlanCursor {
  /** Pages already checkpointed. */
  readonly page: number;
  readonly cursor?: string;
  readonly done: boolean;
  /** Accounts (by language, < 50 each) carried to the next page so batches stay full. */
  readonly carry?: Readonly<Record<string, readonly string[]>>;
}

/** What a planner page adds to its checkpoint. */
export interface PlanAdvance {
  readonly cursor?: string;
  readonly audience: number;
  readonly carry?: Readonly<Record<string, readonly string[]>>;
  /** ISO 8601 instant of the checkpoint. */
  readonly at: string;
}

/** What a claim attempt found. */
export type ClaimOutcome =
  /** Ours now: send it. */
  | { readonly kind: 'claimed'; readonly language?: string; readonly deadline?: string }
  /** Already sent or failed for good: nothing to do. */
  | { readonly kind: 'done'; readonly status: 'sent' | 'failed' }
  /** Another attempt holds a live lease, or it is in doubt (lease expired, grace not over): retry later. */
  | { readonly kind: 'busy' }
  /** A reminder for an account whose notice was never sent. */
  | { readonly kind: 'ineligible' };

export interface ClaimInput {
  readonly campaignId: string;
  readonly accountId: string;
  readonly kind: SendKind;
  readonly attemptId: string;
  readonly region: string;
  readonly language: string;
  /** Epoch ms. */
  readonly now: number;
  readonly leaseMs: number;
  /** How long after a lease expired with no SES event of its email the recipient is sent again. */
  readonly inDoubtGraceMs: number;
  /**
   * A planner's message asks (it counted the account in the audience): the recipient item notes it
   * (`planned`), so the recount knows which late enrolees the planner also counted.
   */
  readonly planned?: boolean;
}

/** One kind's send state on a recipient (the notice and its reminder are tracked side by side). */
export interface SendState {
  /** `sending`, `released`, `sent`, `failed`; absent before the first claim. */
  readonly status?: string;
  /** Epoch ms until which the claiming attempt holds it. */
  readonly leaseUntil?: number;
}

/** A campaign recipient as the use cases read it. */
export interface RecipientRecord {
  readonly campaignId: string;
  readonly accountId: string;
  readonly region?: string;
  readonly language?: string;
  readonly notice: SendState;
  readonly reminder: SendState;
  /** Set once a choice (or the default) is recorded. */
  readonly choice?: string;
  /** Enrolled after the start (late acceptor, late contact): its sweeps are the late-enrolment step's. */
  readonly late?: boolean;
  /** ISO 8601: its own deadline, when later than the campaign's (the minimum answer window). */
  readonly deadline?: string;
}

/** Bounces by SES bounce type (the subtype is in the evidence). */
export const BOUNCE_TYPES = ['Permanent', 'Transient', 'Undetermined'] as const;
const BOUNCE_COUNTERS = ['bouncedPermanent', 'bouncedTransient', 'bouncedUndetermined'] as const;
/** The counter of an SES bounce type (an unknown one counts as undetermined). */
export const bounceCounterOf = (type: string | undefined): (typeof BOUNCE_COUNTERS)[number] =>
  type === 'Permanent' ? 'bouncedPermanent' : type === 'Transient' ? 'bouncedTransient' : 'bouncedUndetermined';

/** The counter attributes of the `CNT#` items. */
export const COUNTER_NAMES = [
  'audience',
  'sent',
  'informational',
  'reminded',
  'delivered',
  'bounced',
  ...BOUNCE_COUNTERS,
  'complained',
  'failed',
  ...CHOICE_COUNTERS,
  'defaulted',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

/** Every counter at zero. */
export const zeroCounters = (): Counters => Object.fromEntries(COUNTER_NAMES.map((name) => [name, 0])) as Counters;

/** Add `delta` into `total` (both partial): the sum of several transitions' counts. */
export const addInto = (total: Partial<Counters>, delta: Partial<Counters>): Partial<Counters> => {
  for (const [name, value] of Object.entries(delta) as [CounterName, number][]) total[name] = (total[name] ?? 0) + value;
  return total;
};

export interface CampaignSnapshot {
  readonly campaign: Campaign;
  readonly counters: Counters;
  /** Planner cursors finished, out of regions × shards. */
  readonly plansDone: number;
  readonly plansTotal: number;
}

/** The region entry of a campaign, if the campaign notifies that region. */
export const campaignRegion = (campaign: Campaign, region: string | undefined): CampaignRegion | undefined =>
  campaign.regions.find((r) => r.region === region);

/** A recorded choice, published so downstream services can act on it (a `delete` especially). Contract: docs/events.md. */
export interface ChoiceRecordedEvent {
  /** The choice evidence's own id, stable across redeliveries and the outbox drain: consumers de-duplicate on it. */
  readonly eventId: string;
  readonly campaignId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly accountId: string;
  /** The account's region (the notice variant's region the choice was made for). */
  readonly region: string;
  readonly option: ChoiceOption;
  /** The option this replaces, when the account changed its mind. */
  readonly previousOption?: ChoiceOption;
  /** The version the account had accepted before (what keep-previous keeps old data under). */
  readonly previousVersion?: number;
  /** `YYYY-MM-DD` (00:00 UTC): data collected before it is "previously collected" (kept under `previousVersion` or deleted). */
  readonly cutoffDate: string;
  readonly defaulted: boolean;
  /** 1 for the first choice of this account in this campaign, then one more per change. */
  readonly seq: number;
  /** ISO 8601. */
  readonly at: string;
}

/** The id of the n-th choice of an account in a campaign: its evidence id and its event id. */
export const choiceEvidenceId = (campaignId: string, accountId: string, seq: number): string => `${campaignId}/${accountId}/${seq}`;
