/** `CampaignStore` in memory, with the same conditions as the DynamoDB adapter (create once, one checkpoint per page). */
import { type Campaign, type CampaignSnapshot, type Counters, type PlanAdvance, type PlanCursor, addInto, zeroCounters } from '../../functions/campaigns/model.ts';
import type { CampaignStore, CheckpointAdvance, SweepCheckpoint, SweepCheckpointStore } from '../../functions/campaigns/ports.ts';
import { AUDIENCE_SHARDS } from '../../functions/ledger/types.ts';

/** The campaign items of one test, kept in maps. */
export class InMemoryCampaignStore implements CampaignStore {
  readonly campaigns = new Map<string, Campaign>();
  readonly plans = new Map<string, PlanCursor>();
  readonly #counters = new Map<string, Partial<Counters>>();

  constructor(campaigns: readonly Campaign[] = []) {
    for (const campaign of campaigns) this.campaigns.set(campaign.campaignId, campaign);
  }

  async getCampaign(campaignId: string): Promise<Campaign | undefined> {
    return this.campaigns.get(campaignId);
  }

  async createCampaign(campaign: Campaign): Promise<{ created: boolean; campaign: Campaign }> {
    const existing = this.campaigns.get(campaign.campaignId);
    if (existing) return { created: false, campaign: existing };
    this.campaigns.set(campaign.campaignId, campaign);
    return { created: true, campaign };
  }

  async markStarted(campaignId: string): Promise<void> {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) throw new Error(`no campaign ${campaignId}`);
    this.campaigns.set(campaignId, { ...campaign, status: 'started' });
  }

  async getPlan(campaignId: string, region: string, shard: number): Promise<PlanCursor> {
    return this.plans.get(`${campaignId}|${region}|${shard}`) ?? { page: 0, done: false };
  }

  async advancePlan(campaignId: string, region: string, shard: number, fromPage: number, next: PlanAdvance): Promise<boolean> {
    const key = `${campaignId}|${region}|${shard}`;
    if ((this.plans.get(key)?.page ?? 0) !== fromPage) return false;
    const carry = next.cursor !== undefined && next.carry && Object.keys(next.carry).length > 0 ? { carry: next.carry } : {};
    this.plans.set(key, { page: fromPage + 1, done: next.cursor === undefined, ...(next.cursor !== undefined ? { cursor: next.cursor } : {}), ...carry });
    await this.addCounters(campaignId, shard, { audience: next.audience });
    return true;
  }

  async addCounters(campaignId: string, _shard: number, deltas: Partial<Counters>): Promise<void> {
    this.#counters.set(campaignId, addInto(this.#counters.get(campaignId) ?? {}, deltas));
  }

  async snapshot(campaignId: string): Promise<CampaignSnapshot | undefined> {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) return undefined;
    const plansDone = [...this.plans].filter(([key, plan]) => key.startsWith(`${campaignId}|`) && plan.done).length;
    return { campaign, counters: this.totals(campaignId), plansDone, plansTotal: campaign.regions.length * AUDIENCE_SHARDS };
  }

  /** Every counter of a campaign, summed over the shards. */
  totals(campaignId: string): Counters {
    return { ...zeroCounters(), ...this.#counters.get(campaignId) };
  }
}

/** `SweepCheckpointStore` in memory, with the DynamoDB adapter's conditional advance. */
export class InMemoryCheckpointStore implements SweepCheckpointStore {
  readonly items = new Map<string, { page: number; cursor?: string; doneAt?: string; processed: number; passes: number }>();

  async getCheckpoint(scope: string, step: string): Promise<SweepCheckpoint> {
    const item = this.items.get(`${scope}\u0000${step}`);
    return { page: item?.page ?? 0, ...(item?.cursor !== undefined ? { cursor: item.cursor } : {}), done: item?.doneAt !== undefined };
  }

  async advanceCheckpoint(scope: string, step: string, advance: CheckpointAdvance): Promise<boolean> {
    const key = `${scope}\u0000${step}`;
    const item = this.items.get(key) ?? { page: 0, processed: 0, passes: 0 };
    if (item.page !== advance.fromPage) return false;
    this.items.set(key, {
      page: advance.fromPage + 1,
      ...(advance.next !== undefined ? { cursor: advance.next } : {}),
      ...(item.doneAt !== undefined ? { doneAt: item.doneAt } : advance.complete && advance.once ? { doneAt: advance.at } : {}),
      processed: item.processed + advance.processed,
      passes: item.passes + (advance.complete ? 1 : 0),
    });
    return true;
  }
}
