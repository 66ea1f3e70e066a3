/**
 * The hourly campaign sweeps: a reminder `reminderDays` before the deadline to recipients who
 * have not chosen, and the protective default (`keep-previous`, defaulted) at the deadline.
 *
 * Campaigns are found from the content, not by scanning the table: there is one choice campaign
 * per notice version (`campaignIdFor`), so the candidates are the versions that need a choice.
 * Recipients are read from their sharded partitions (`CMP#<id>#R#<shard>`), page by page.
 * Both sweeps are idempotent: a reminder is enqueued for the sender, whose claim on the
 * recipient's `reminderStatus` sends it at most once; a default is gated by conditional writes
 * (see `applyDefaultChoice`). A finished sweep is noted on `CMP#<id>`/`SCHED`, so later runs skip it.
 */
import pLimit from 'p-limit';
import { applyDefaultChoice, drainChoiceOutbox, type ChoiceDeps, type DrainReport } from './choices.ts';
import type { SendMessage } from './messages.ts';
import type { Campaign } from './model.ts';
import type { Queue, SweepRecipient, SweepStore } from './ports.ts';
import type { ContentIndex } from '../core/content.ts';
import { campaignIdFor, planAudience } from '../core/audience.ts';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';


const DAY_MS = 86_400_000;
/** Recipients per send message: SES's `SendBulkEmail` limit (`MAX_RECIPIENTS_PER_SEND`, not imported: that module carries zod). */
const MAX_RECIPIENTS_PER_SEND = 50;
const DEFAULT_CONCURRENCY = 16;

export interface SchedulerDeps extends Pick<ChoiceDeps, 'ledger' | 'choices' | 'events' | 'outbox' | 'fault'> {
  readonly content: ContentIndex;
  readonly campaigns: ChoiceDeps['campaigns'];
  readonly sweeps: SweepStore;
  readonly sendQueue: Queue<SendMessage>;
  /** Days before the deadline the reminder goes out. */
  readonly reminderDays: number;
  /** Accounts defaulted in parallel. @default 16 */
  readonly concurrency?: number;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface SweepReport {
  readonly campaignId: string;
  readonly action: 'none' | 'reminders' | 'defaults';
  readonly reminded: number;
  readonly defaulted: number;
}

/** The choice campaigns the content implies (one per notice version that needs a choice). */
export const candidateCampaignIds = (content: ContentIndex): string[] =>
  content.notices.flatMap((notice) =>
    notice.versions
      .filter((version) => planAudience(content, notice.noticeId, version.version).regions.some((region) => region.notification === 'choice'))
      .map((version) => campaignIdFor(notice.noticeId, version.version)),
  );

const forEachRecipient = async (deps: SchedulerDeps, campaignId: string, visit: (page: SweepRecipient[]) => Promise<void>): Promise<void> => {
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await deps.sweeps.recipients(campaignId, shard, cursor);
      await visit(page.items);
      cursor = page.cursor;
    } while (cursor);
  }
};

/** Enqueue reminders for notified recipients without a choice, in sender-sized batches per region and language. */
const sendReminders = async (deps: SchedulerDeps, campaign: Campaign): Promise<number> => {
  let reminded = 0;
  await forEachRecipient(deps, campaign.campaignId, async (page) => {
    const groups = new Map<string, SweepRecipient[]>();
    for (const recipient of page) {
      if (recipient.status !== 'sent' || recipient.choice || recipient.reminderStatus === 'sent') continue;
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
    if (messages.length > 0) await deps.sendQueue.send(messages);
    reminded += messages.reduce((sum, message) => sum + message.accountIds.length, 0);
  });
  return reminded;
};

/** Record the protective default for every recipient without a choice. */
const applyDefaults = async (deps: SchedulerDeps, campaign: Campaign): Promise<number> => {
  const limit = pLimit(deps.concurrency ?? DEFAULT_CONCURRENCY);
  let defaulted = 0;
  await forEachRecipient(deps, campaign.campaignId, async (page) => {
    const outcomes = await Promise.all(
      page.filter((recipient) => !recipient.choice).map((recipient) => limit(() => applyDefaultChoice(deps, campaign, recipient.accountId))),
    );
    defaulted += outcomes.filter((outcome) => outcome === 'defaulted').length;
  });
  return defaulted;
};

/** Outbox entries per drain page. */
const DRAIN_PAGE = 100;

/**
 * The outbox drain step: publish the `ChoiceRecorded` events a crash or a refusing bus left in
 * the outbox, one page from `cursor` per call (so a paged, checkpointed sweep can run it).
 */
export const drainOutboxStep = async (deps: SchedulerDeps, now: Date, cursor?: string): Promise<DrainReport> =>
  drainChoiceOutbox(deps, { now, limit: DRAIN_PAGE, ...(cursor ? { cursor } : {}) });

/** Every page of the outbox drain, in turn. */
export const drainOutbox = async (deps: SchedulerDeps, now: Date): Promise<{ published: number; discarded: number; waiting: number }> => {
  const total = { published: 0, discarded: 0, waiting: 0 };
  let cursor: string | undefined;
  do {
    const page = await drainOutboxStep(deps, now, cursor);
    total.published += page.published;
    total.discarded += page.discarded;
    total.waiting += page.waiting;
    cursor = page.cursor;
  } while (cursor);
  return total;
};

/** One scheduler run at `now`: what each candidate campaign needed, and how many accounts it touched. */
export const runSweeps = async (deps: SchedulerDeps, now: Date): Promise<SweepReport[]> => {
  const reports: SweepReport[] = [];
  for (const campaignId of candidateCampaignIds(deps.content)) {
    const campaign = await deps.campaigns.getCampaign(campaignId);
    if (!campaign || campaign.status !== 'started') continue;
    const deadline = Date.parse(campaign.deadline);
    const at = now.toISOString();
    if (now.getTime() >= deadline) {
      if (await deps.sweeps.sweepDone(campaignId, 'defaults')) {
        reports.push({ campaignId, action: 'none', reminded: 0, defaulted: 0 });
        continue;
      }
      const defaulted = await applyDefaults(deps, campaign);
      await deps.sweeps.markSweepDone(campaignId, 'defaults', at);
      deps.log('defaults applied', { campaignId, defaulted });
      reports.push({ campaignId, action: 'defaults', reminded: 0, defaulted });
    } else if (now.getTime() >= deadline - deps.reminderDays * DAY_MS && !(await deps.sweeps.sweepDone(campaignId, 'reminders'))) {
      const reminded = await sendReminders(deps, campaign);
      await deps.sweeps.markSweepDone(campaignId, 'reminders', at);
      deps.log('reminders enqueued', { campaignId, reminded });
      reports.push({ campaignId, action: 'reminders', reminded, defaulted: 0 });
    } else {
      reports.push({ campaignId, action: 'none', reminded: 0, defaulted: 0 });
    }
  }
  // Last, so the defaults just applied are drained in the same run if their publish failed.
  const drained = await drainOutbox(deps, now);
  if (drained.published + drained.discarded > 0) deps.log('choice outbox drained', drained);
  return reports;
};
