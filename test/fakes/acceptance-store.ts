/** `AcceptanceStore` in memory, with the DynamoDB adapter's conditions (append once, newer state wins, the choice rules). */
import { randomUUID } from 'node:crypto';
import { evidenceOrder, pageOf, type EvidenceFilter } from '../../functions/ledger/evidence-order.ts';
import { choiceEvidenceSk, contactEventSk, evidenceSk, shardOf } from '../../functions/ledger/keys.ts';
import type { AcceptanceStore } from '../../functions/ledger/store.ts';
import {
  eventTime,
  type AccountEvidence,
  type ContactEvidence,
  type AcceptanceRecord,
  type AcceptanceState,
  type AppendOutcome,
  type AudienceMember,
  type AudienceQuery,
  type ChoiceEvidence,
  type ChoiceWrite,
  type EvidenceRecord,
  type NotifiedState,
  type Page,
  type RecordedChoice,
  type StoredEvidence,
} from '../../functions/ledger/types.ts';

type State = AcceptanceState & { choice?: RecordedChoice };


/** The ledger of one test or bench, kept in maps. */
export class InMemoryAcceptanceStore implements AcceptanceStore {
  readonly states = new Map<string, State>();
  readonly evidence = new Map<string, AccountEvidence>();
  readonly contacts = new Map<string, string>();
  /** Contact tombstones: the instant of the latest erasure per account. */
  readonly erasures = new Map<string, string>();

  constructor(states: readonly AcceptanceState[] = []) {
    for (const state of states) this.states.set(`${state.accountId}|${state.noticeId}`, state);
  }

  async appendAcceptance(record: AcceptanceRecord): Promise<AppendOutcome> {
    if (await this.appendEvidence(record.accountId, record.noticeId, record)) return { created: true, record };
    return { created: false, record: this.evidence.get(`${record.accountId}|${evidenceSk(record.noticeId, record)}`) as AcceptanceRecord & StoredEvidence };
  }

  async advanceState(record: AcceptanceRecord): Promise<boolean> {
    const key = `${record.accountId}|${record.noticeId}`;
    const current = this.states.get(key);
    const at = eventTime(record);
    const newer = !current || current.acceptedVersion < record.version || (current.acceptedVersion === record.version && current.acceptedAt < at);
    if (!newer) return false;
    const { accountId, noticeId, version, contentHash, region, language } = record;
    this.states.set(key, { ...current, accountId, noticeId, acceptedVersion: version, acceptedAt: at, contentHash, region, language });
    return true;
  }

  /** A test's stand-in for what the DynamoDB adapter derives on read from a campaign's `sent` mark (`notified.ts`). */
  setNotified(accountId: string, noticeId: string, notified: NotifiedState): void {
    const current = this.states.get(`${accountId}|${noticeId}`);
    if (current && !(current.notified && current.notified.version >= notified.version)) this.states.set(`${accountId}|${noticeId}`, { ...current, notified });
  }

  async recordChoice(accountId: string, noticeId: string, choice: RecordedChoice): Promise<ChoiceWrite> {
    const current = this.states.get(`${accountId}|${noticeId}`);
    if (!current) return { applied: false };
    const old = current.choice;
    const seq = choice.seq ?? 1;
    const from = seq === 1 ? !old || old.campaignId !== choice.campaignId || old.seq === undefined : old?.campaignId === choice.campaignId && old.seq === seq - 1;
    if (!from) return { applied: false };
    this.states.set(`${accountId}|${noticeId}`, { ...current, choice: { ...choice, seq } });
    return old ? { applied: true, replaced: old } : { applied: true };
  }

  async getChoiceEvidence(accountId: string, noticeId: string, campaignId: string, seq: number): Promise<ChoiceEvidence | undefined> {
    return this.evidence.get(`${accountId}|${choiceEvidenceSk(noticeId, campaignId, seq)}`) as ChoiceEvidence | undefined;
  }

  async getState(accountId: string, noticeId: string, options: { readonly notified?: boolean } = {}): Promise<AcceptanceState | undefined> {
    const state = this.states.get(`${accountId}|${noticeId}`);
    if (!state || options.notified !== false) return state;
    const { notified: _notified, ...acceptance } = state;
    return acceptance;
  }

  async listEvidence(accountId: string, page: EvidenceFilter & { limit: number; cursor?: string }): Promise<Page<AccountEvidence>> {
    return pageOf(await this.listAccountEvidence(accountId, page), accountId, page);
  }

  async listAccountEvidence(accountId: string, filter: EvidenceFilter = {}): Promise<AccountEvidence[]> {
    const entries = [...this.evidence].filter(([key]) => key.startsWith(`${accountId}|`)).map(([key, item]) => ({ sk: key.slice(accountId.length + 1), item }));
    return evidenceOrder(entries, filter);
  }

  async appendEvidence(accountId: string, noticeId: string, evidence: EvidenceRecord): Promise<boolean> {
    const key = `${accountId}|${evidenceSk(noticeId, evidence)}`;
    if (this.evidence.has(key)) return false;
    this.evidence.set(key, { ...evidence, accountId, noticeId } as StoredEvidence);
    return true;
  }

  async putContact(accountId: string, email: string, at: string, via: ContactEvidence['via'] = 'contact'): Promise<boolean> {
    const erasedAt = this.erasures.get(accountId);
    if (erasedAt !== undefined && erasedAt >= at) return false;
    this.contacts.set(accountId, email);
    this.evidence.set(`${accountId}|${contactEventSk(at, randomUUID())}`, { kind: 'contact', event: 'set', via, at, accountId });
    return true;
  }

  async deleteContact(accountId: string, at: string): Promise<void> {
    this.contacts.delete(accountId);
    if ((this.erasures.get(accountId) ?? '') < at) this.erasures.set(accountId, at);
    this.evidence.set(`${accountId}|${contactEventSk(at, randomUUID())}`, { kind: 'contact', event: 'erased', via: 'contact', at, accountId });
  }

  async getContacts(accountIds: readonly string[]): Promise<Map<string, string>> {
    return new Map(accountIds.flatMap((id) => (this.contacts.has(id) ? [[id, this.contacts.get(id)!] as const] : [])));
  }

  async queryAudience(input: AudienceQuery): Promise<{ members: AudienceMember[]; cursor?: string }> {
    const members = [...this.states.values()]
      .filter((s) => s.noticeId === input.noticeId && s.region === input.region && s.acceptedVersion < input.belowVersion && shardOf(s.accountId) === input.shard)
      .sort((a, b) => a.acceptedVersion - b.acceptedVersion || a.accountId.localeCompare(b.accountId))
      .map(({ accountId, region, language, acceptedVersion }) => ({ accountId, region, language, acceptedVersion }));
    const start = Number(input.cursor ?? 0);
    const next = start + (input.limit ?? 500);
    return { members: members.slice(start, next), ...(next < members.length ? { cursor: String(next) } : {}) };
  }
}
