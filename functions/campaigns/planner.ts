/**
 * The planner: for one (campaign, region, shard) it pages the audience query, sends batches of
 * 50 account ids (one language each) to the send queue, and checkpoints its cursor, with the few
 * accounts of each language carried to the next page, after each page. Memory is one page. A restarted planner resumes from the checkpoint; a page sent again
 * after a crash is harmless because the sender is idempotent per campaign and account.
 */
import type { Clock } from '../core/clock.ts';
import type { AudienceMember } from '../ledger/types.ts';
import { MAX_RECIPIENTS_PER_SEND, type PlannerMessage, type SendMessage } from './messages.ts';
import type { AudienceSource, CampaignStore, FaultHook, Queue } from './ports.ts';


export interface PlannerDeps {
  readonly store: Pick<CampaignStore, 'getCampaign' | 'getPlan' | 'advancePlan'>;
  readonly audience: AudienceSource;
  readonly sendQueue: Queue<SendMessage>;
  /** Stamps the checkpoints. */
  readonly clock: Clock;
  /** Where a continuation goes after `maxPagesPerInvocation` pages; without it an invocation runs to the end. */
  readonly plannerQueue?: Queue<PlannerMessage>;
  /** @default 1000 (the ledger's maximum) */
  readonly pageSize?: number;
  /** Bounds one invocation (Lambda's 15 minutes) for very large shards. @default 200 */
  readonly maxPagesPerInvocation?: number;
  readonly fault?: FaultHook;
}

export interface PlanResult {
  readonly pages: number;
  readonly members: number;
  readonly done: boolean;
}

/**
 * Split one page, after the accounts carried over from the last one, into send messages of 50
 * accounts that share a language. The last few of each language are carried to the next page
 * (kept in the checkpoint), so a mixed-language audience does not leave a partial batch per
 * language on every page; on the last page (`final`) they go out as they are.
 */
export const batchesOf = (
  campaignId: string,
  region: string,
  members: readonly AudienceMember[],
  options: { carry?: Readonly<Record<string, readonly string[]>>; final?: boolean } = {},
): { messages: SendMessage[]; carry: Record<string, string[]> } => {
  const byLanguage = new Map<string, string[]>(Object.entries(options.carry ?? {}).map(([language, ids]) => [language, [...ids]]));
  for (const member of members) {
    const ids = byLanguage.get(member.language) ?? [];
    ids.push(member.accountId);
    byLanguage.set(member.language, ids);
  }
  const messages: SendMessage[] = [];
  const carry: Record<string, string[]> = {};
  for (const [language, ids] of byLanguage) {
    const full = options.final ? ids.length : ids.length - (ids.length % MAX_RECIPIENTS_PER_SEND);
    for (let offset = 0; offset < full; offset += MAX_RECIPIENTS_PER_SEND) {
      messages.push({ campaignId, kind: 'notice', region, language, accountIds: ids.slice(offset, Math.min(full, offset + MAX_RECIPIENTS_PER_SEND)) });
    }
    if (full < ids.length) carry[language] = ids.slice(full);
  }
  return { messages, carry };
};

/** Plan one region and shard of a campaign, resuming from its checkpoint. */
export const planShard = async (deps: PlannerDeps, message: PlannerMessage): Promise<PlanResult> => {
  const fault = deps.fault ?? (() => {});
  const pageSize = deps.pageSize ?? 1000;
  const maxPages = deps.maxPagesPerInvocation ?? 200;
  const campaign = await deps.store.getCampaign(message.campaignId);
  if (!campaign) throw new Error(`campaign ${message.campaignId} does not exist`);
  if (!campaign.regions.some((r) => r.region === message.region)) return { pages: 0, members: 0, done: true };

  let plan = await deps.store.getPlan(message.campaignId, message.region, message.shard);
  let pages = 0;
  let members = 0;
  while (!plan.done) {
    if (deps.plannerQueue && pages >= maxPages) {
      await deps.plannerQueue.send([message]);
      return { pages, members, done: false };
    }
    const page = await deps.audience.queryAudience({
      noticeId: campaign.noticeId,
      region: message.region,
      shard: message.shard,
      belowVersion: campaign.version,
      limit: pageSize,
      ...(plan.cursor ? { cursor: plan.cursor } : {}),
    });
    fault('planner:after-query');
    const { messages: batches, carry } = batchesOf(campaign.campaignId, message.region, page.members, {
      ...(plan.carry ? { carry: plan.carry } : {}),
      final: page.cursor === undefined,
    });
    // Enqueue in two halves so a crash can land mid-page (the test drives that point).
    const half = Math.ceil(batches.length / 2);
    await deps.sendQueue.send(batches.slice(0, half));
    fault('planner:mid-page');
    await deps.sendQueue.send(batches.slice(half));
    fault('planner:before-checkpoint');
    const advanced = await deps.store.advancePlan(message.campaignId, message.region, message.shard, plan.page, {
      audience: page.members.length,
      at: deps.clock.now().toISOString(),
      ...(page.cursor ? { cursor: page.cursor, carry } : {}),
    });
    fault('planner:after-checkpoint');
    pages++;
    if (advanced) members += page.members.length;
    // Lost the race to another planner instance: continue from wherever it got to.
    plan = advanced
      ? { page: plan.page + 1, done: page.cursor === undefined, ...(page.cursor ? { cursor: page.cursor, carry } : {}) }
      : await deps.store.getPlan(message.campaignId, message.region, message.shard);
  }
  return { pages, members, done: true };
};
