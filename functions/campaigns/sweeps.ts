/**
 * The hourly campaign sweeps, as steps of the checkpointed sweep framework (`sweep-steps.ts`):
 * a reminder `reminderDays` before the deadline to recipients who have not chosen, and the
 * protective default (`keep-previous`, defaulted) at the deadline. Each walks the campaign's
 * recipient partitions (`CMP#<id>#R#<shard>`) one page at a time under the invocation's time
 * budget; the cursor (shard + last key) is checkpointed after every page, so the next run
 * continues where this one stopped and no finished page is walked again.
 *
 * Campaigns are found from the content, not by scanning the table: there is one choice campaign
 * per notice version (`campaignIdFor`), so the candidates are the versions that need a choice.
 * Both steps are idempotent per page: a reminder is enqueued for the sender, whose claim on the
 * recipient's `reminderStatus` sends it at most once; a default is gated by conditional writes
 * (see `applyDefaultChoice`).
 */
import pLimit from 'p-limit';
import { applyDefaultChoice, drainChoiceOutbox, type ChoiceDeps } from './choices.ts';
import type { SendMessage } from './messages.ts';
import { type Campaign, isRunning, runStatusOf } from './model.ts';
import { enrolLatePage, type LateCursor, type LateEnrolmentDeps } from './late-enrolment.ts';
import type { CounterRecount, CounterTally, Queue, SweepCheckpointStore, SweepRecipient, SweepStore } from './ports.ts';
import { decodeCursor, encodeCursor, runSweepSteps, type SweepBudget, type SweepPage, type SweepRunReport, type SweepStep } from './sweep-steps.ts';
import type { ContentIndex } from '../core/content.ts';
import { campaignIdFor, planAudience } from '../core/audience.ts';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';


const DAY_MS = 86_400_000;
/** Recipients per send message: SES's `SendBulkEmail` limit (`MAX_RECIPIENTS_PER_SEND`, not imported: that module carries zod). */
const MAX_RECIPIENTS_PER_SEND = 50;
const DEFAULT_CONCURRENCY = 16;

export interface SchedulerDeps extends Pick<ChoiceDeps, 'ledger' | 'choices' | 'events' | 'outbox' | 'fault'>, LateEnrolmentDeps {
  readonly content: ContentIndex;
  readonly sweeps: SweepStore & SweepCheckpointStore;
  readonly sendQueue: Queue<SendMessage>;
  /** Days before the deadline the reminder goes out. */
  readonly reminderDays: number;
  /** Accounts defaulted in parallel. @default 16 */
  readonly concurrency?: number;
  /** Page size, reserve and first-page estimate of the time budget (the remaining time comes from the invocation). */
  readonly budget?: Omit<SweepBudget, 'remainingMs'>;
  /** A blocked campaign is checked and resumed when SES is ready (`blocked.ts`); true when it resumed. @default left blocked */
  readonly retryBlocked?: (campaign: Campaign) => Promise<boolean>;
  /** Exact counters: recount a started campaign from its recipient items when its counts do not add up (`recountStep`). @default none */
  readonly recount?: CounterRecount;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** What a step sees of one scheduler run: its dependencies, the run's instant, the started choice campaigns. */
export interface SweepRun {
  readonly deps: SchedulerDeps;
  readonly now: Date;
  readonly campaigns: ReadonlyMap<string, Campaign>;
}

export type SweepReport = SweepRunReport;

/** The choice campaigns the content implies (one per notice version that needs a choice). */
export const candidateCampaignIds = (content: ContentIndex): string[] =>
  content.notices.flatMap((notice) =>
    notice.versions
      .filter((version) => planAudience(content, notice.noticeId, version.version).regions.some((region) => region.notification === 'choice'))
      .map((version) => campaignIdFor(notice.noticeId, version.version)),
  );

interface RecipientCursor {
  readonly shard: number;
  readonly key?: Record<string, unknown>;
}

/** One page of a campaign's recipients: a query on one shard from the cursor; the next cursor moves on to the next shard at its end. */
const recipientPage = async (
  run: SweepRun,
  campaignId: string,
  cursor: string | undefined,
  pageSize: number,
): Promise<{ items: SweepRecipient[]; next?: string }> => {
  const at: RecipientCursor = cursor ? decodeCursor<RecipientCursor>(cursor) : { shard: 0 };
  const page = await run.deps.sweeps.recipients(campaignId, at.shard, at.key, pageSize);
  const next: RecipientCursor | undefined = page.cursor ? { shard: at.shard, key: page.cursor } : at.shard + 1 < AUDIENCE_SHARDS ? { shard: at.shard + 1 } : undefined;
  return next ? { items: page.items, next: encodeCursor(next) } : { items: page.items };
};

const campaignsWhere = (run: SweepRun, due: (campaign: Campaign, now: number) => boolean): string[] =>
  [...run.campaigns.values()].filter((campaign) => due(campaign, run.now.getTime())).map((campaign) => campaign.campaignId);

/** Enqueue reminders for the page's notified recipients without a choice, in sender-sized batches per region and language. */
const remindPage = async (run: SweepRun, campaign: Campaign, page: readonly SweepRecipient[]): Promise<number> => {
  const groups = new Map<string, SweepRecipient[]>();
  for (const recipient of page) {
    // A late enrolee is reminded at its own deadline, by the late-enrolment step.
    if (recipient.late || recipient.status !== 'sent' || recipient.choice || recipient.reminderStatus === 'sent') continue;
    const key = `${recipient.region ?? 'global'}\u0000${recipient.language ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), recipient]);
  }
  const messages: SendMessage[] = [];
  for (const [key, recipients] of groups) {
    const [region, language] = key.split('\u0000') as [string, string];
    for (let offset = 0; offset < recipients.length; offset += MAX_RECIPIENTS_PER_SEND) {
      messages.push({
        campaignId: campaign.campaignId,
        kind: 'reminder',
        region,
        ...(language ? { language } : {}),
        accountIds: recipients.slice(offset, offset + MAX_RECIPIENTS_PER_SEND).map((r) => r.accountId),
      });
    }
  }
  if (messages.length > 0) await run.deps.sendQueue.send(messages);
  return messages.reduce((sum, message) => sum + message.accountIds.length, 0);
};

/** Record the protective default for the page's recipients without a choice. */
const defaultPage = async (run: SweepRun, campaign: Campaign, page: readonly SweepRecipient[]): Promise<number> => {
  const limit = pLimit(run.deps.concurrency ?? DEFAULT_CONCURRENCY);
  const outcomes = await Promise.all(
    page.filter((recipient) => !recipient.choice && !recipient.late).map((recipient) => limit(() => applyDefaultChoice(run.deps, campaign, recipient.accountId))),
  );
  return outcomes.filter((outcome) => outcome === 'defaulted').length;
};

/** A `once` step over every recipient of each due campaign; `handle` answers how many it acted on. */
const recipientStep = (
  name: string,
  due: (campaign: Campaign, now: number, deps: SchedulerDeps) => boolean,
  handle: (run: SweepRun, campaign: Campaign, page: readonly SweepRecipient[]) => Promise<number>,
): SweepStep<SweepRun> => ({
  name,
  mode: 'once',
  scopes: (run) => campaignsWhere(run, (campaign, now) => due(campaign, now, run.deps)),
  page: async (run, campaignId, cursor, pageSize): Promise<SweepPage> => {
    const campaign = run.campaigns.get(campaignId);
    if (!campaign) return { processed: 0 };
    const page = await recipientPage(run, campaignId, cursor, pageSize);
    const processed = await handle(run, campaign, page.items);
    return page.next ? { next: page.next, processed } : { processed };
  },
});

const deadlineOf = (campaign: Campaign): number => Date.parse(campaign.deadline);

/** Reminders: from `reminderDays` before the deadline until the deadline. */
export const reminderStep = recipientStep(
  'reminders',
  (campaign, now, deps) => now < deadlineOf(campaign) && now >= deadlineOf(campaign) - deps.reminderDays * DAY_MS,
  remindPage,
);

/** Deadline defaults: from the deadline on. */
export const defaultStep = recipientStep('defaults', (campaign, now) => now >= deadlineOf(campaign), defaultPage);

/**
 * Late enrolment (`late-enrolment.ts`): every run, for every running campaign (after its deadline
 * too), one page of its sparse late markers at a time: enrol, remind and default late acceptors.
 */
export const lateEnrolmentStep: SweepStep<SweepRun> = {
  name: 'late-enrolment',
  mode: 'repeat',
  scopes: (run) => [...run.campaigns.keys()],
  page: async (run, campaignId, cursor): Promise<SweepPage> => {
    const campaign = run.campaigns.get(campaignId);
    if (!campaign) return { processed: 0 };
    const at: LateCursor = cursor ? decodeCursor<LateCursor>(cursor) : { shard: 0 };
    const step = await enrolLatePage(run.deps, campaign, at, run.now);
    const processed = step.enrolled + step.reminded + step.defaulted;
    if (processed > 0) run.deps.log('late enrolment', { campaignId, enrolled: step.enrolled, reminded: step.reminded, defaulted: step.defaulted });
    return step.next ? { next: encodeCursor(step.next), processed } : { processed };
  },
};

/**
 * The choice outbox drain: publish the `ChoiceRecorded` events a crash or a refusing bus left in
 * the outbox (docs/design.md, "Choices"), a page from the cursor; the walk starts over every run.
 */
export const outboxDrainStep: SweepStep<SweepRun> = {
  name: 'choice-outbox',
  mode: 'repeat',
  scopes: () => ['choice-outbox'],
  page: async (run, _scope, cursor, pageSize): Promise<SweepPage> => {
    const recount = run.deps.recount;
    const at = run.now.toISOString();
    const report = await drainChoiceOutbox(run.deps, {
      now: run.now,
      limit: pageSize,
      ...(cursor ? { cursor } : {}),
      // A repair may move a choice whose count a crash lost: the recount settles it.
      ...(recount ? { beforeRepair: (campaignId: string) => recount.flag(campaignId, at) } : {}),
    });
    if (report.published + report.discarded > 0) run.deps.log('choice outbox drained', { published: report.published, discarded: report.discarded, waiting: report.waiting });
    const processed = report.published + report.discarded;
    return report.cursor ? { next: report.cursor, processed } : { processed };
  },
};

interface RecountCursor {
  readonly shard: number;
  readonly key?: Record<string, unknown>;
  /** What the pages before this one counted. */
  readonly tally: CounterTally;
  /** The counters when the walk started, and when: the last page tells from them whether anything moved meanwhile. */
  readonly before?: CounterTally;
  readonly startedAt?: string;
}

/**
 * Exact counters (`dynamodb/recount.ts`): a campaign whose counts do not add up is recounted from
 * its recipient items a page at a time, the tally so far carried in the checkpoint's cursor, so a
 * recount of any size fits the time budget over as many runs as it needs; the last page writes the
 * correction (one Put). A page redone after a crash starts from the tally before it, so it counts
 * once. `repeat`: while the campaign is still unsettled (sending), or flagged (a choice repaired
 * by the drain, or counters that moved during the last walk), the next run recounts it again.
 */
export const recountStep: SweepStep<SweepRun> = {
  name: 'recount',
  mode: 'repeat',
  scopes: async (run) => {
    const recount = run.deps.recount;
    if (!recount) return [];
    const due: string[] = [];
    for (const campaign of run.campaigns.values()) if (await recount.unsettled(campaign)) due.push(campaign.campaignId);
    return due;
  },
  page: async (run, campaignId, cursor, pageSize): Promise<SweepPage> => {
    const campaign = run.campaigns.get(campaignId);
    const recount = run.deps.recount;
    if (!campaign || !recount) return { processed: 0 };
    const now = run.now.toISOString();
    const at: RecountCursor = cursor ? decodeCursor<RecountCursor>(cursor) : { shard: 0, tally: {}, before: await recount.counted(campaign), startedAt: now };
    const start = at.before && at.startedAt ? { before: at.before, startedAt: at.startedAt } : undefined;
    const page = await recount.tallyPage(campaign, at.shard, at.tally, at.key, pageSize);
    const next: RecountCursor | undefined = page.next
      ? { shard: at.shard, key: page.next, tally: page.tally, ...start }
      : at.shard + 1 < AUDIENCE_SHARDS
        ? { shard: at.shard + 1, tally: page.tally, ...start }
        : undefined;
    if (next) return { next: encodeCursor(next), processed: 0 };
    const fix = await recount.correct(campaign, page.tally, start, now);
    if (Object.values(fix).some((n) => n !== 0)) run.deps.log('counters recounted', { campaignId, correction: fix });
    return { processed: 1 };
  },
};

/**
 * THE list of the scheduler's steps, run in this order every hour (add a step here; see
 * `sweep-steps.ts` for what a step is). Each walk is checkpointed under (scope, step name).
 */
// The drain after the defaults, so a default whose publish failed in this run is drained in it; the recount last.
export const SWEEP_STEPS: readonly SweepStep<SweepRun>[] = [reminderStep, defaultStep, lateEnrolmentStep, outboxDrainStep, recountStep];

/** One scheduler run at `now` within `remainingMs`: every step's walks, continued from their checkpoints. */
export const runSweeps = async (deps: SchedulerDeps, now: Date, remainingMs: () => number, steps: readonly SweepStep<SweepRun>[] = SWEEP_STEPS): Promise<SweepReport> => {
  const campaigns = new Map<string, Campaign>();
  for (const campaignId of candidateCampaignIds(deps.content)) {
    let campaign = await deps.campaigns.getCampaign(campaignId);
    // A blocked campaign is tried again first: resumed when SES is ready, it runs in this pass.
    if (campaign?.status === 'started' && runStatusOf(campaign) === 'blocked' && (await deps.retryBlocked?.(campaign))) {
      campaign = await deps.campaigns.getCampaign(campaignId);
    }
    // A paused (or blocked) campaign waits: no reminders, no defaults, no late enrolment.
    if (campaign?.status === 'started' && isRunning(campaign)) campaigns.set(campaignId, campaign);
  }
  const report = await runSweepSteps(steps, { deps, now, campaigns }, deps.sweeps, { ...deps.budget, remainingMs }, now.toISOString());
  for (const walk of report.walks) if (walk.outcome !== 'done') deps.log('sweep walked', { ...walk });
  if (report.outOfTime) deps.log('sweep stopped for time; the next run continues from the checkpoint');
  return report;
};
