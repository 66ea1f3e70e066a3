/**
 * The port the ledger's use cases and the campaigns talk to; `DynamoDbAcceptanceStore` implements it.
 * It is the only writer of an account's `STATE#` item: acceptance and `choice` (`notified` is
 * derived when the state is read, from the campaigns' recipient and campaign items).
 */
import type { EvidenceFilter } from './evidence-order.ts';
import type {
  AccountEvidence,
  AcceptanceRecord,
  ContactEvidence,
  AcceptanceState,
  AppendOutcome,
  AudienceMember,
  AudienceQuery,
  ChoiceEvidence,
  ChoiceWrite,
  EvidenceRecord,
  Page,
  RecordedChoice,
} from './types.ts';

export interface AcceptanceStore {
  /** Append the acceptance once (same variant twice → the first record, `created: false`). */
  appendAcceptance(record: AcceptanceRecord): Promise<AppendOutcome>;
  /** Move the current state forward to this acceptance unless a newer one is already there. Returns whether it moved. */
  advanceState(record: AcceptanceRecord): Promise<boolean>;
  /**
   * Move the state's `choice` to choice evidence `choice.seq`: only from `seq - 1` of the same
   * campaign (seq 1: from no choice of it). Answers the choice it replaced.
   */
  recordChoice(accountId: string, noticeId: string, choice: RecordedChoice): Promise<ChoiceWrite>;
  /** The `seq`-th choice evidence of an account for a campaign, read consistently, or undefined. */
  getChoiceEvidence(accountId: string, noticeId: string, campaignId: string, seq: number): Promise<ChoiceEvidence | undefined>;
  /**
   * The current state of an account for a notice, or undefined if it never accepted one; `notified`
   * from the newest version's campaign that sent it the notice. `{ notified: false }` reads the state
   * item alone, for a caller that needs only the acceptance (one item read instead of 1 + 2 per version).
   */
  getState(accountId: string, noticeId: string, options?: { readonly notified?: boolean }): Promise<AcceptanceState | undefined>;
  /** The account's evidence in time order, of one notice or kind if asked, paginated by an opaque cursor bound to the query. */
  listEvidence(accountId: string, page: EvidenceFilter & { limit: number; cursor?: string }): Promise<Page<AccountEvidence>>;
  /** Every evidence item of the account in time order (the evidence route and report). */
  listAccountEvidence(accountId: string, filter?: EvidenceFilter): Promise<AccountEvidence[]>;
  /** Append any evidence item once (idempotent per item identity); true if it was new. */
  appendEvidence(accountId: string, noticeId: string, evidence: EvidenceRecord): Promise<boolean>;
  /**
   * Set (or replace) the account's contact email, the only item that holds it, and record the event;
   * refused (false) when the contact was erased at or after `at`: a request older than an erasure never brings the address back.
   */
  putContact(accountId: string, email: string, at: string, via?: ContactEvidence['via']): Promise<boolean>;
  /** Erase the address, leave a tombstone with the instant, record the event; the evidence stays. */
  deleteContact(accountId: string, at: string): Promise<void>;
  /** Contact emails by account id (accounts without one are absent). */
  getContacts(accountIds: readonly string[]): Promise<Map<string, string>>;
  /** One page of the campaign audience of a shard: accepted a version below `belowVersion` in `region`. */
  queryAudience(input: AudienceQuery): Promise<{ members: AudienceMember[]; cursor?: string }>;
}
