/** Types of the acceptance ledger: the records it keeps and the shapes the campaigns code against. */
import type { ChoiceOption } from '../core/content.ts';

/** Number of write shards of the audience and evidence indexes (stable hash of the account id). */
export const AUDIENCE_SHARDS = 16;

/** Where an acceptance or choice came from. The IP is already truncated (IPv4 /24, IPv6 /48). */
export interface EvidenceSource {
  readonly channel: string;
  readonly ipPrefix?: string;
  readonly userAgent?: string;
}

/** An acceptance as the caller names it; `recordAcceptance` checks it against the published variants. */
export interface AcceptanceRequest {
  readonly accountId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly language: string;
  readonly contentHash: string;
  readonly source: EvidenceSource;
}

/** The evidence of one acceptance, as stored and as answered. */
export interface AcceptanceRecord {
  readonly kind: 'acceptance';
  readonly accountId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly language: string;
  readonly contentHash: string;
  /** ISO 8601 instant the ledger recorded it. */
  readonly at: string;
  /** Imported acceptances only: the instant the customer accepted, as the importing service stated it. */
  readonly acceptedAt?: string;
  /** True when a service imported it with its original time (`acceptedAt`). */
  readonly imported?: boolean;
  readonly source: EvidenceSource;
}

/** A change of the contact item: set (by PUT or an acceptance carrying an email) or erased. Never the address. */
export interface ContactEvidence {
  readonly kind: 'contact';
  readonly event: 'set' | 'erased';
  /** What set it: `contact` (PUT …/contact) or `acceptance`; erasures are always `contact`. */
  readonly via: 'contact' | 'acceptance';
  readonly at: string;
}

/** A change-notice email event, written by the campaigns (never the address). */
export interface NotificationEvidence {
  readonly kind: 'notification';
  readonly event: 'sent' | 'delivered' | 'bounced' | 'complained' | 'failed';
  readonly campaignId: string;
  readonly messageId: string;
  readonly version: number;
  readonly channel: 'email';
  readonly at: string;
  /** A bounce's SES type and subtype (`Permanent`/`General` …). */
  readonly bounceType?: string;
  readonly bounceSubType?: string;
}

/** What the customer was shown when choosing: the options offered and the notice variant the page links to. */
export interface ChoiceShown {
  readonly options: readonly ChoiceOption[];
  readonly region: string;
  readonly language: string;
  /** `contentHash` of the notice variant the page (or email) links to. */
  readonly contentHash?: string;
}

/**
 * A choice made on the choice page (`web`) or defaulted at the deadline (`system`). Each change
 * of an account's choice for a campaign is one item: `seq` 1, 2 … (its key), `evidenceId` its own
 * id (also the `ChoiceRecorded` event id); `writer` tells the outbox entry of its writer apart.
 */
export interface ChoiceEvidence {
  readonly kind: 'choice';
  readonly campaignId: string;
  readonly version: number;
  readonly option: ChoiceOption;
  readonly defaulted: boolean;
  readonly channel: 'web' | 'system';
  readonly seq: number;
  readonly evidenceId: string;
  readonly writer: string;
  readonly shown: ChoiceShown;
  /** The version the account had accepted when it chose (what keep-previous keeps old data under). */
  readonly previousVersion?: number;
  /** The option of choice evidence `seq - 1`, which this one replaces. */
  readonly previousOption?: ChoiceOption;
  readonly ipPrefix?: string;
  readonly userAgent?: string;
  readonly at: string;
}

/** Any append-only evidence item of an account about a notice. */
export type EvidenceRecord = AcceptanceRecord | NotificationEvidence | ChoiceEvidence;
/** Evidence as listed in the history and the export: the record plus the notice it belongs to. */
export type StoredEvidence = EvidenceRecord & { readonly noticeId: string; readonly accountId: string };
/** Everything in an account's record: its notice evidence and its contact events (which belong to no notice). */
export type AccountEvidence = StoredEvidence | (ContactEvidence & { readonly accountId: string });
export type EvidenceKind = AccountEvidence['kind'];
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['acceptance', 'notification', 'choice', 'contact'];

/** When the evidenced thing happened: an imported acceptance's original time, otherwise when it was recorded. */
export const eventTime = (evidence: { readonly at: string; readonly acceptedAt?: string }): string => evidence.acceptedAt ?? evidence.at;

/** What a campaign's change-notice email offered the account: derived on read from the campaign's items (`notified.ts`). */
export interface NotifiedState {
  readonly campaignId: string;
  readonly version: number;
  readonly deadline: string;
  readonly options: readonly ChoiceOption[];
  readonly at: string;
}

/** Set by the choice page or the deadline job. */
export interface ChoiceState {
  readonly campaignId: string;
  readonly version: number;
  readonly option: ChoiceOption;
  readonly at: string;
  readonly defaulted: boolean;
}

/**
 * A state item's choice plus the version accepted when it was made (governance reads it), and
 * which choice evidence it mirrors (`seq`, `evidenceId`): the state always equals the newest.
 */
export type RecordedChoice = ChoiceState & { readonly previousVersion?: number; readonly seq?: number; readonly evidenceId?: string };

/** Outcome of setting a choice: whether it was set, and the choice it replaced. */
export interface ChoiceWrite {
  readonly applied: boolean;
  readonly replaced?: RecordedChoice;
}

/** The current state of an account for one notice (`ACCT#<id>` / `STATE#<noticeId>`). */
export interface AcceptanceState {
  readonly accountId: string;
  readonly noticeId: string;
  readonly acceptedVersion: number;
  readonly acceptedAt: string;
  readonly contentHash: string;
  readonly region: string;
  readonly language: string;
  readonly notified?: NotifiedState;
  readonly choice?: ChoiceState;
}

/** One account of a campaign audience (GSI1 projection). */
export interface AudienceMember {
  readonly accountId: string;
  readonly region: string;
  readonly language: string;
  readonly acceptedVersion: number;
}

export interface AudienceQuery {
  readonly noticeId: string;
  readonly region: string;
  readonly shard: number;
  /** Only accounts whose accepted version is strictly below this one. */
  readonly belowVersion: number;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; absent on the last page. */
  readonly cursor?: string;
}

/** Outcome of appending an acceptance: `created` false when the same acceptance was already there. */
export interface AppendOutcome {
  readonly created: boolean;
  readonly record: AcceptanceRecord;
}
