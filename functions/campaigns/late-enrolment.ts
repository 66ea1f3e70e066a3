/**
 * The continuous obligation: an account that becomes affected after a campaign started (it accepts
 * an older version, or gains its first contact address) is emailed exactly once, no later than the
 * next scheduler run, counted, reminded and defaulted like everyone else, with at least the minimum
 * answer window before its own deadline.
 *
 * How late accounts are found (docs/design.md, "Late enrolment"): the accounts API, after it wrote the
 * state or the contact, notes the account in the campaign's sparse `LATE#` partitions for every
 * existing campaign of a newer version (`noteAffected`). Writing after the state closes the race with a
 * campaign that starts meanwhile: either the campaign existed when we looked (marker) or it was
 * created after our state write, and then its planner reads our state. The scheduler pages the
 * markers (`enrolLatePage`, one page per step from a cursor) and, once the planner finished the
 * account's shard, creates the late recipient item (its own deadline) and enqueues its email; the
 * sender's claim keeps it to one email. The marker stays until the account chose or was defaulted:
 * its reminder and default are this step's (the campaign-wide sweeps skip late recipients).
 */
import { campaignIdFor, planAudience } from '../core/audience.ts';
import type { ContentIndex } from '../core/content.ts';
import { shardOf } from '../ledger/keys.ts';
import type { AcceptanceStore } from '../ledger/store.ts';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';
import { applyDefaultChoice, type ChoiceDeps } from './choices.ts';
import type { SendMessage } from './messages.ts';
import { type Campaign, campaignRegion } from './model.ts';
import type { CampaignReader, CampaignStore, CounterStore, LateMarker, LateMarkerStore, Queue, RecipientStore } from './ports.ts';

const DAY_MS = 86_400_000;
/** The minimum answer window a late enrolee gets from its email, unless configured. */
export const DEFAULT_MIN_ANSWER_DAYS = 14;

export interface NoteAffectedDeps {
  readonly content: ContentIndex;
  readonly campaigns: CampaignReader;
  readonly late: Pick<LateMarkerStore, 'note'>;
  readonly ledger: Pick<AcceptanceStore, 'getState'>;
}

/** The choice campaigns of `noticeId` newer than `acceptedVersion` that notify `region`. */
const newerChoiceCampaigns = (content: ContentIndex, noticeId: string, acceptedVersion: number, region: string): string[] => {
  const notice = content.notices.find((n) => n.noticeId === noticeId);
  if (!notice) return [];
  return notice.versions
    .filter((v) => v.version > acceptedVersion)
    .filter((v) => planAudience(content, noticeId, v.version).regions.some((r) => r.region === region && r.notification === 'choice'))
    .map((v) => campaignIdFor(noticeId, v.version));
};

/**
 * After an acceptance or a contact was recorded: note the account for every existing campaign that
 * now affects it. Reads the state it just wrote, so it is right whichever write came first.
 */
export const noteAffected = async (deps: NoteAffectedDeps, accountId: string, noticeIds: readonly string[], at: string): Promise<number> => {
  let noted = 0;
  for (const noticeId of noticeIds) {
    const state = await deps.ledger.getState(accountId, noticeId, { notified: false });
    if (!state) continue;
    for (const campaignId of newerChoiceCampaigns(deps.content, noticeId, state.acceptedVersion, state.region)) {
      if (!(await deps.campaigns.getCampaign(campaignId))) continue;
      await deps.late.note(campaignId, accountId, at);
      noted++;
    }
  }
  return noted;
};

export interface LateEnrolmentDeps extends Pick<ChoiceDeps, 'content' | 'ledger' | 'choices' | 'events' | 'outbox' | 'fault'> {
  readonly campaigns: CampaignReader & CounterStore & Pick<CampaignStore, 'getPlan'>;
  readonly late: LateMarkerStore;
  readonly recipients: Pick<RecipientStore, 'getRecipients'>;
  readonly contacts: Pick<AcceptanceStore, 'getContacts' | 'getState'>;
  readonly sendQueue: Queue<SendMessage>;
  readonly reminderDays: number;
  /** @default 14 */
  readonly minAnswerDays?: number;
}

/** Where a late-enrolment sweep is: the shard and the cursor within it. */
export interface LateCursor {
  readonly shard: number;
  readonly cursor?: Record<string, unknown>;
}

export interface LateStepResult {
  /** Absent when every shard is done. */
  readonly next?: LateCursor;
  readonly enrolled: number;
  readonly reminded: number;
  readonly defaulted: number;
}

/** A late enrolee's deadline: the campaign's, or later so it has the minimum answer window from now. */
export const lateDeadline = (campaign: Pick<Campaign, 'deadline'>, now: Date, minAnswerDays: number): string =>
  new Date(Math.max(Date.parse(campaign.deadline), now.getTime() + minAnswerDays * DAY_MS)).toISOString();

/** Send messages of one kind, one account each group of region and language (≤ 50 accounts). */
const messagesFor = (campaignId: string, kind: SendMessage['kind'], entries: readonly { accountId: string; region: string; language: string }[]): SendMessage[] => {
  const groups = new Map<string, string[]>();
  for (const entry of entries) {
    const key = `${entry.region}\u0000${entry.language}`;
    groups.set(key, [...(groups.get(key) ?? []), entry.accountId]);
  }
  const messages: SendMessage[] = [];
  for (const [key, ids] of groups) {
    const [region, language] = key.split('\u0000') as [string, string];
    for (let offset = 0; offset < ids.length; offset += 50) {
      messages.push({ campaignId, kind, region, ...(language ? { language } : {}), accountIds: ids.slice(offset, offset + 50), late: true });
    }
  }
  return messages;
};

/** Enrol (or remind, or default) one page of a campaign's late markers; answers the next cursor. */
export const enrolLatePage = async (deps: LateEnrolmentDeps, campaign: Campaign, at: LateCursor, now: Date): Promise<LateStepResult> => {
  const page = await deps.late.page(campaign.campaignId, at.shard, at.cursor);
  const next: LateCursor | undefined = page.cursor ? { shard: at.shard, cursor: page.cursor } : at.shard + 1 < AUDIENCE_SHARDS ? { shard: at.shard + 1 } : undefined;
  const result = { enrolled: 0, reminded: 0, defaulted: 0 };
  if (page.items.length === 0) return { ...(next ? { next } : {}), ...result };

  const recipients = await deps.recipients.getRecipients(page.items.map((m) => ({ campaignId: campaign.campaignId, accountId: m.accountId })));
  const recipientOf = (marker: LateMarker) => recipients.get(`${campaign.campaignId}\u0000${marker.accountId}`);
  const noted = page.items.filter((m) => m.stage === 'noted');
  const contacts = noted.length > 0 ? await deps.contacts.getContacts(noted.map((m) => m.accountId)) : new Map<string, string>();
  const minAnswerDays = deps.minAnswerDays ?? DEFAULT_MIN_ANSWER_DAYS;
  const notices: { accountId: string; region: string; language: string }[] = [];
  const reminders: { accountId: string; region: string; language: string }[] = [];
  const plans = new Map<string, boolean>();
  const planDone = async (region: string, shard: number): Promise<boolean> => {
    const key = `${region}#${shard}`;
    if (!plans.has(key)) plans.set(key, (await deps.campaigns.getPlan(campaign.campaignId, region, shard)).done);
    return plans.get(key)!;
  };

  for (const marker of page.items) {
    const recipient = recipientOf(marker);
    if (marker.stage === 'noted') {
      const state = await deps.contacts.getState(marker.accountId, campaign.noticeId, { notified: false });
      const region = campaignRegion(campaign, state?.region);
      if (!state || state.acceptedVersion >= campaign.version || region?.notification !== 'choice' || !contacts.has(marker.accountId)) {
        // Not affected (any more), or nobody to write to: a later contact notes it again.
        await deps.late.remove(campaign.campaignId, marker.accountId);
        continue;
      }
      // The planner may still reach it: leave it until its shard is planned.
      if (!(await planDone(state.region, shardOf(marker.accountId)))) continue;
      const deadline = lateDeadline(campaign, now, minAnswerDays);
      const entry = { accountId: marker.accountId, region: state.region, language: recipient?.language ?? state.language };
      if (!recipient) {
        if (await deps.late.createLateRecipient(campaign.campaignId, marker.accountId, { region: state.region, language: state.language, deadline, at: now.toISOString() })) {
          await deps.campaigns.addCounters(campaign.campaignId, shardOf(marker.accountId), { audience: 1 });
        }
      } else if (recipient.notice.status === 'failed') {
        // Failed for want of a contact, which it has now: counted in the audience already, no longer failed.
        if (!(await deps.late.reviveNoContact(campaign.campaignId, marker.accountId, deadline, now.toISOString()))) {
          await deps.late.remove(campaign.campaignId, marker.accountId);
          continue;
        }
        await deps.campaigns.addCounters(campaign.campaignId, shardOf(marker.accountId), { failed: -1 });
      } else if (!recipient.late) {
        // The planner's recipient: the campaign's own sweeps look after it.
        await deps.late.remove(campaign.campaignId, marker.accountId);
        continue;
      }
      notices.push(entry);
      await deps.late.advance(campaign.campaignId, marker.accountId, 'enrolled', recipient?.deadline ?? deadline);
      result.enrolled++;
      continue;
    }
    // Enrolled: remind before its own deadline, default at it, forget it once it chose.
    if (recipient?.choice) {
      await deps.late.remove(campaign.campaignId, marker.accountId);
      continue;
    }
    const deadline = Date.parse(marker.deadline ?? recipient?.deadline ?? campaign.deadline);
    if (now.getTime() >= deadline) {
      const outcome = await applyDefaultChoice(deps, { ...campaign, deadline: new Date(deadline).toISOString() }, marker.accountId);
      if (outcome === 'defaulted') result.defaulted++;
      await deps.late.remove(campaign.campaignId, marker.accountId);
    } else if (marker.stage === 'enrolled' && now.getTime() >= deadline - deps.reminderDays * DAY_MS && recipient?.notice.status === 'sent') {
      reminders.push({ accountId: marker.accountId, region: recipient.region ?? 'global', language: recipient.language ?? '' });
      await deps.late.advance(campaign.campaignId, marker.accountId, 'reminded');
      result.reminded++;
    }
  }
  const messages = [...messagesFor(campaign.campaignId, 'notice', notices), ...messagesFor(campaign.campaignId, 'reminder', reminders)];
  if (messages.length > 0) await deps.sendQueue.send(messages);
  return { ...(next ? { next } : {}), ...result };
};
