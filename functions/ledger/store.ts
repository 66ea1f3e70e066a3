/** The port the ledger's use cases and the campaigns talk to; `DynamoDbAcceptanceStore` implements it. */
import type {
  AcceptanceRecord,
  AcceptanceState,
  AppendOutcome,
  AudienceMember,
  AudienceQuery,
  EvidenceRecord,
  Page,
  StoredEvidence,
} from './types.ts';

export interface AcceptanceStore {
  /** Append the acceptance once (same variant twice → the first record, `created: false`). */
  appendAcceptance(record: AcceptanceRecord): Promise<AppendOutcome>;
  /** Move the current state forward to this acceptance unless a newer one is already there. Returns whether it moved. */
  advanceState(record: AcceptanceRecord): Promise<boolean>;
  /** The current state of an account for a notice, or undefined if it never accepted one. */
  getState(accountId: string, noticeId: string): Promise<AcceptanceState | undefined>;
  /** The account's evidence, oldest kind first, paginated by an opaque cursor bound to the account. */
  listEvidence(accountId: string, page: { limit: number; cursor?: string }): Promise<Page<StoredEvidence>>;
  /** Append any evidence item once (idempotent per item identity); true if it was new. */
  appendEvidence(accountId: string, noticeId: string, evidence: EvidenceRecord): Promise<boolean>;
  /** Set (or replace) the account's contact email: the only item that holds it. */
  putContact(accountId: string, email: string, at: string): Promise<void>;
  /** Erase the contact item; the evidence stays. */
  deleteContact(accountId: string): Promise<void>;
  /** Contact emails by account id (accounts without one are absent). */
  getContacts(accountIds: readonly string[]): Promise<Map<string, string>>;
  /** One page of the campaign audience of a shard: accepted a version below `belowVersion` in `region`. */
  queryAudience(input: AudienceQuery): Promise<{ members: AudienceMember[]; cursor?: string }>;
}
