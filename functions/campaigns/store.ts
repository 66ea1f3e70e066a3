/**
 * Compatibility only: the old single `CampaignStore` class, for callers outside the campaigns
 * area (the HTTP Lambdas, their local wiring and tests) until they build the adapters directly.
 * The model is in `./model.ts`, the ports in `./ports.ts`, the DynamoDB adapters in `./dynamodb/`.
 * Campaign code imports none of this module.
 */
import { DynamoDbAcceptanceStore } from '../ledger/dynamodb-store.ts';
import type { ChoiceOption } from '../core/content.ts';
import { DynamoDbCampaignStore, type DynamoDbCampaignStoreOptions } from './dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from './dynamodb/recipient-store.ts';
import type { Campaign, ClaimInput, ClaimOutcome, SendKind } from './model.ts';

export type { Campaign, CampaignRegion, CampaignSnapshot, ClaimInput, ClaimOutcome, CounterName, Counters, PlanCursor } from './model.ts';
export { COUNTER_NAMES } from './model.ts';
export { recipientKey } from './dynamodb/keys.ts';
export type CampaignStoreOptions = DynamoDbCampaignStoreOptions;

/** @deprecated The campaign items plus the few recipient and state writes the HTTP area's tests seed with; use the `./dynamodb/` adapters. */
export class CampaignStore extends DynamoDbCampaignStore {
  readonly #recipients: DynamoDbRecipientStore;
  readonly #ledger: DynamoDbAcceptanceStore;

  constructor(options: CampaignStoreOptions) {
    super(options);
    this.#recipients = new DynamoDbRecipientStore(options);
    this.#ledger = new DynamoDbAcceptanceStore(options);
  }

  /** `DynamoDbRecipientStore.claimRecipient`. */
  async claimRecipient(input: ClaimInput): Promise<ClaimOutcome> {
    return this.#recipients.claimRecipient(input);
  }

  /** `DynamoDbRecipientStore.markSent`. */
  async markSent(campaignId: string, accountId: string, kind: SendKind, attemptId: string, messageId: string, at: string): Promise<boolean> {
    return this.#recipients.markSent(campaignId, accountId, kind, attemptId, messageId, at);
  }

  /** `DynamoDbRecipientStore.getRecipient`. */
  async getRecipient(campaignId: string, accountId: string): Promise<Record<string, unknown> | undefined> {
    return this.#recipients.getRecipient(campaignId, accountId);
  }

  /** The ledger's `recordNotified` for this campaign. */
  async setNotified(accountId: string, campaign: Campaign, options: readonly ChoiceOption[], at: string): Promise<void> {
    await this.#ledger.recordNotified(accountId, campaign.noticeId, { campaignId: campaign.campaignId, version: campaign.version, deadline: campaign.deadline, options, at });
  }
}
