/**
 * Use cases of the choice: open the choice page (reads only: mail scanners prefetch links),
 * record a customer's choice, and apply the protective default at the deadline, both through
 * one path, `commitChoice`.
 *
 * Exactly once with single-item conditional writes (no transactions: docs/design.md, "Choices"):
 * the n-th change of an account's choice in a campaign is choice evidence `seq` n, put with
 * attribute_not_exists (its own key and id); the state's `choice` then moves from n-1 to n. A
 * writer that finds evidence n+1 ahead of the state rolls the state forward first, so a crash
 * between the two writes heals and the state always equals the newest evidence. An outbox entry is
 * written before the evidence and removed after the `ChoiceRecorded` publish; the scheduler drains
 * what a crash (or a refusing bus) left behind (`drainChoiceOutbox`).
 */
import { randomUUID } from 'node:crypto';
import type { ChoiceOption, ContentIndex } from '../core/content.ts';
import { variantKey } from '../core/content.ts';
import { findVersion } from '../core/audience.ts';
import { CHOICE_OPTION_IDS, choiceOption, DEFAULT_CHOICE, isChoiceOption } from '../core/choice-options.ts';
import { ConflictError, GoneError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { ChoiceTokenSignatureError, ExpiredChoiceTokenError, verifyChoiceToken, type ChoiceTokenClaims } from '../core/tokens.ts';
import { shardOf } from '../ledger/keys.ts';
import type { AcceptanceStore } from '../ledger/store.ts';
import type { AcceptanceState, ChoiceEvidence, ChoiceShown, RecordedChoice } from '../ledger/types.ts';
import { type Campaign, type ChoiceRecordedEvent, type Counters, choiceEvidenceId } from './model.ts';
import type {
  CampaignReader,
  ChoiceEventPublisher,
  ChoiceOutbox,
  CounterStore,
  FaultHook,
  OutboxEntry,
  RecipientChoiceStore,
  RecipientStore,
  TokenKeyProvider,
} from './ports.ts';

export type { RecordedChoice } from '../ledger/types.ts';

/** Why a choice link no longer takes a choice. */
export type ChoiceClosedReason = 'deadline-passed' | 'accepted';

const CLOSED_MESSAGES: Record<ChoiceClosedReason, string> = {
  'deadline-passed': 'the deadline for this choice has passed',
  accepted: 'the account has accepted this version (or a later one), so no choice is open',
};

/** The choice is closed (deadline passed, or the version accepted); carries what the link was for. */
export class ChoiceClosedError extends GoneError {
  constructor(
    readonly claims: ChoiceTokenClaims,
    readonly reason: ChoiceClosedReason = 'deadline-passed',
  ) {
    super(CLOSED_MESSAGES[reason]);
  }
}

/** The account changed its choice in this campaign as often as it may (`maxChanges`). */
export class ChoiceLimitError extends ConflictError {
  constructor(readonly limit: number) {
    super(`the choice was changed ${limit} times, the most this campaign takes`);
  }
}

/** Where the choice is noted besides the state item (the recipient item, for the sweeps), and who was emailed. */
export type ChoiceStore = RecipientChoiceStore & Pick<RecipientStore, 'getRecipients'>;

/** Changes of choice per account and campaign, by default. */
export const DEFAULT_MAX_CHOICE_CHANGES = 10;

export interface ChoiceDeps {
  readonly content: ContentIndex;
  readonly tokenKey: TokenKeyProvider;
  readonly campaigns: CampaignReader & CounterStore;
  /** The state item (read, and its `choice` written) and the evidence. */
  readonly ledger: Pick<AcceptanceStore, 'getState' | 'appendEvidence' | 'recordChoice' | 'getChoiceEvidence'>;
  readonly choices: ChoiceStore;
  readonly events: ChoiceEventPublisher;
  readonly outbox: ChoiceOutbox;
  /** Changes per account and campaign. @default DEFAULT_MAX_CHOICE_CHANGES */
  readonly maxChoiceChanges?: number;
  /** Called at named points of a choice write (tests crash there). */
  readonly fault?: FaultHook;
  /** Told when a publish failed (the outbox keeps the event for the drain). */
  readonly onPublishFailure?: (error: unknown) => void;
}

/** What the choice page shows. */
export interface ChoiceView {
  readonly claims: ChoiceTokenClaims;
  readonly campaign: Campaign;
  readonly region: string;
  readonly language: string;
  readonly options: readonly ChoiceOption[];
  /** The choice recorded for this campaign, if any. */
  readonly current?: RecordedChoice;
}

export interface ChoiceSource {
  /** Already truncated (IPv4 /24, IPv6 /48). */
  readonly ipPrefix?: string;
  readonly userAgent?: string;
}

export const USER_AGENT_MAX_LENGTH = 256;

/** Parse an option from user input; undefined for anything else. */
export const parseOption = (value: unknown): ChoiceOption | undefined =>
  isChoiceOption(value) ? value : undefined;

/** The counter deltas of a choice replacing another (moving between options moves one count). */
export const counterDeltas = (option: ChoiceOption, replaced: ChoiceOption | undefined): Partial<Counters> => {
  if (replaced === option) return {};
  const counter = choiceOption(option).counter;
  return replaced ? { [counter]: 1, [choiceOption(replaced).counter]: -1 } : { [counter]: 1 };
};

/** The notice variant a choice page and email link to: the account's region and language, else the notice's default language, else global. */
export const linkedVariant = (content: ContentIndex, noticeId: string, version: number, region: string, language: string) => {
  const { notice, version: found } = findVersion(content, noticeId, version);
  const contentLanguage = found.languages.includes(language) ? language : notice.defaultLanguage;
  const variant = found.variants[variantKey(region, contentLanguage)] ?? found.variants[variantKey('global', contentLanguage)];
  return { notice, version: found, contentLanguage, variant };
};

const verify = async (deps: ChoiceDeps, token: string, now: Date): Promise<ChoiceTokenClaims> => {
  try {
    try {
      return verifyChoiceToken(token, await deps.tokenKey.getVerificationKeys(), now);
    } catch (error) {
      // Signed with a key rotated in after this container read its keys: read them again (rate-limited by the provider).
      if (!(error instanceof ChoiceTokenSignatureError)) throw error;
      return verifyChoiceToken(token, await deps.tokenKey.getVerificationKeys({ reload: true }), now);
    }
  } catch (error) {
    if (error instanceof ExpiredChoiceTokenError) throw new ChoiceClosedError(error.claims, 'deadline-passed');
    throw error;
  }
};

const currentChoiceOf = (state: AcceptanceState, campaignId: string): RecordedChoice | undefined =>
  state.choice?.campaignId === campaignId ? (state.choice as RecordedChoice) : undefined;

/** Open the choice a link is for. Reads only: never records anything. */
export const openChoice = async (deps: ChoiceDeps, token: string, now: Date): Promise<ChoiceView> => {
  const claims = await verify(deps, token, now);
  const campaign = await deps.campaigns.getCampaign(claims.campaignId);
  if (!campaign) throw new NotFoundError('this campaign does not exist');
  // The signed expiry is the recipient's deadline: the campaign's, or a late enrolee's later one.
  if (now.getTime() >= Math.max(Date.parse(campaign.deadline), Date.parse(claims.expiresAt))) throw new ChoiceClosedError(claims, 'deadline-passed');
  const [state, recipients] = await Promise.all([
    deps.ledger.getState(claims.accountId, campaign.noticeId),
    deps.choices.getRecipients([{ campaignId: campaign.campaignId, accountId: claims.accountId }]),
  ]);
  // A genuine link for an account the ledger does not know (never accepted, or gone), or one the
  // campaign never emailed: nothing to choose about.
  const recipient = [...recipients.values()][0];
  if (!state || recipient?.notice.status !== 'sent') throw new NotFoundError('no choice is pending for this account');
  if (state.acceptedVersion >= campaign.version) throw new ChoiceClosedError(claims, 'accepted');
  const { region, language } = state;
  const notifiedOptions = state.notified?.campaignId === campaign.campaignId ? state.notified.options : undefined;
  const options = campaign.regions.find((r) => r.region === region)?.options ?? notifiedOptions ?? CHOICE_OPTION_IDS;
  const current = currentChoiceOf(state, campaign.campaignId);
  return { claims, campaign, region, language, options: options.length > 0 ? options : CHOICE_OPTION_IDS, ...(current ? { current } : {}) };
};

/** The event of a choice evidence item: a pure function of the evidence, so the writer and the drain publish the same bytes. */
export const choiceEvent = (content: ContentIndex, accountId: string, noticeId: string, evidence: ChoiceEvidence): ChoiceRecordedEvent => ({
  eventId: evidence.evidenceId,
  campaignId: evidence.campaignId,
  noticeId,
  version: evidence.version,
  accountId,
  region: evidence.shown.region,
  option: evidence.option,
  ...(evidence.previousOption && evidence.previousOption !== evidence.option ? { previousOption: evidence.previousOption } : {}),
  ...(evidence.previousVersion !== undefined ? { previousVersion: evidence.previousVersion } : {}),
  cutoffDate: findVersion(content, noticeId, evidence.version).version.effectiveDate,
  defaulted: evidence.defaulted,
  seq: evidence.seq,
  at: evidence.at,
});

const outboxEntryOf = (accountId: string, noticeId: string, evidence: ChoiceEvidence): OutboxEntry => ({
  accountId,
  noticeId,
  campaignId: evidence.campaignId,
  seq: evidence.seq,
  writer: evidence.writer,
  at: evidence.at,
});

const recordedOf = (evidence: ChoiceEvidence): RecordedChoice => ({
  campaignId: evidence.campaignId,
  version: evidence.version,
  option: evidence.option,
  at: evidence.at,
  defaulted: evidence.defaulted,
  seq: evidence.seq,
  evidenceId: evidence.evidenceId,
  ...(evidence.previousVersion !== undefined ? { previousVersion: evidence.previousVersion } : {}),
});

type SettleDeps = Pick<ChoiceDeps, 'content' | 'campaigns' | 'ledger' | 'choices' | 'events' | 'outbox' | 'fault' | 'onPublishFailure'>;

/**
 * Finish a choice evidence item: move the state to it (whoever moves it counts it), note it on the
 * recipient (every settle: the mark is monotonic by seq, so a repair completes it), then, for its writer and the drain (`publish`), publish its event and remove its
 * outbox entry. Every step may be repeated. A writer repairing another's evidence only moves the
 * state: the other writer publishes, or, if it died, the drain does, so a choice is published once
 * unless a crash falls between a publish and the entry's removal.
 */
const settleChoice = async (deps: SettleDeps, accountId: string, noticeId: string, evidence: ChoiceEvidence, publish = true): Promise<boolean> => {
  const choice = recordedOf(evidence);
  const { applied, replaced } = await deps.ledger.recordChoice(accountId, noticeId, choice);
  if (applied) {
    deps.fault?.('choice:before-count');
    const replacedOption = replaced?.campaignId === evidence.campaignId ? replaced.option : undefined;
    await deps.campaigns.addCounters(evidence.campaignId, shardOf(accountId), evidence.defaulted ? { defaulted: 1 } : counterDeltas(evidence.option, replacedOption));
  }
  // Also when the state had moved already: a repair after a crash completes the mark (monotonic by seq).
  deps.fault?.('choice:before-mark');
  await deps.choices.markRecipient(evidence.campaignId, accountId, choice, false);
  deps.fault?.('choice:after-state');
  if (!publish) return false;
  try {
    await deps.events.publish([choiceEvent(deps.content, accountId, noticeId, evidence)]);
  } catch (error) {
    // The outbox entry stays: the scheduler's drain publishes it.
    deps.onPublishFailure?.(error);
    return false;
  }
  deps.fault?.('choice:after-publish');
  // The evidence names its writer's entry, so a repairer removes the entry of the writer it finished for.
  await deps.outbox.remove(outboxEntryOf(accountId, noticeId, evidence));
  return true;
};

/** What a choice write wants recorded. */
interface ChoiceIntent {
  readonly campaign: Campaign;
  readonly accountId: string;
  readonly option: ChoiceOption;
  readonly defaulted: boolean;
  readonly shown: ChoiceShown;
  readonly source?: ChoiceSource;
  readonly at: string;
}

type CommitOutcome =
  | { readonly outcome: 'recorded'; readonly choice: RecordedChoice; readonly replaced?: ChoiceOption }
  | { readonly outcome: 'unchanged'; readonly choice: RecordedChoice }
  | { readonly outcome: 'skipped' };

/** Rounds a writer may lose to concurrent writers before giving up (each round some writer wins). */
const EXTRA_ROUNDS = 8;

/** The one path of every choice, the customer's and the default: see the module comment. */
const commitChoice = async (deps: SettleDeps & Pick<ChoiceDeps, 'maxChoiceChanges'>, intent: ChoiceIntent): Promise<CommitOutcome> => {
  const { campaign, accountId } = intent;
  const { noticeId, campaignId } = campaign;
  const maxChanges = deps.maxChoiceChanges ?? DEFAULT_MAX_CHOICE_CHANGES;
  for (let round = 0; round < maxChanges + EXTRA_ROUNDS; round++) {
    const state = await deps.ledger.getState(accountId, noticeId);
    if (!state) throw new NotFoundError('no choice is pending for this account');
    const current = currentChoiceOf(state, campaignId);
    const seq = current?.seq ?? 0;
    // Evidence ahead of the state (a writer crashed, or is between its two writes): roll forward first.
    const ahead = await deps.ledger.getChoiceEvidence(accountId, noticeId, campaignId, seq + 1);
    if (ahead) {
      await settleChoice(deps, accountId, noticeId, ahead, false);
      continue;
    }
    if (intent.defaulted) {
      // A default lands only where no choice was made and the version was not accepted.
      if (current || state.acceptedVersion >= campaign.version) return { outcome: 'skipped' };
    } else {
      if (current && current.option === intent.option) return { outcome: 'unchanged', choice: current };
      if (seq >= maxChanges) throw new ChoiceLimitError(maxChanges);
    }
    const userAgent = intent.source?.userAgent?.slice(0, USER_AGENT_MAX_LENGTH);
    const evidence: ChoiceEvidence = {
      kind: 'choice',
      campaignId,
      version: campaign.version,
      option: intent.option,
      defaulted: intent.defaulted,
      channel: intent.defaulted ? 'system' : 'web',
      seq: seq + 1,
      evidenceId: choiceEvidenceId(campaignId, accountId, seq + 1),
      writer: randomUUID(),
      shown: intent.shown,
      ...(state.acceptedVersion < campaign.version ? { previousVersion: state.acceptedVersion } : {}),
      ...(current ? { previousOption: current.option } : {}),
      ...(intent.source?.ipPrefix ? { ipPrefix: intent.source.ipPrefix } : {}),
      ...(userAgent ? { userAgent } : {}),
      at: intent.at,
    };
    const entry = outboxEntryOf(accountId, noticeId, evidence);
    await deps.outbox.add(entry);
    deps.fault?.('choice:after-outbox');
    if (!(await deps.ledger.appendEvidence(accountId, noticeId, evidence))) {
      // Another writer took this seq: ours never existed. Its entry goes; the next round repairs and retries.
      await deps.outbox.remove(entry);
      continue;
    }
    deps.fault?.('choice:after-evidence');
    await settleChoice(deps, accountId, noticeId, evidence);
    return { outcome: 'recorded', choice: recordedOf(evidence), ...(current ? { replaced: current.option } : {}) };
  }
  throw new ConflictError('too many concurrent changes of this choice; try again');
};

/** What a page for this account shows: the options and the variant it links to. */
const shownFor = (content: ContentIndex, campaign: Campaign, region: string, language: string, options: readonly ChoiceOption[]): ChoiceShown => {
  const { variant } = linkedVariant(content, campaign.noticeId, campaign.version, region, language);
  return { options: [...options], region, language, ...(variant ? { contentHash: variant.contentHash } : {}) };
};

/**
 * Record a customer's choice (the last one before the deadline governs). Repeating the choice in
 * force records nothing and answers it (`unchanged`); more than `maxChoiceChanges` changes → `ChoiceLimitError`.
 */
export const recordChoice = async (
  deps: ChoiceDeps,
  input: { token: string; option: unknown; source: ChoiceSource; now: Date },
): Promise<{ view: ChoiceView; choice: RecordedChoice; replaced?: ChoiceOption; unchanged?: true }> => {
  const view = await openChoice(deps, input.token, input.now);
  const option = parseOption(input.option);
  if (!option || !view.options.includes(option)) {
    throw new InvalidInputError(`option must be one of: ${view.options.join(', ')}`, [{ path: 'option', message: 'not an offered option' }]);
  }
  const { campaign, claims } = view;
  const outcome = await commitChoice(deps, {
    campaign,
    accountId: claims.accountId,
    option,
    defaulted: false,
    shown: shownFor(deps.content, campaign, view.region, view.language, view.options),
    source: input.source,
    at: input.now.toISOString(),
  });
  if (outcome.outcome === 'skipped') throw new NotFoundError('no choice is pending for this account');
  const result = { view: { ...view, current: outcome.choice }, choice: outcome.choice };
  if (outcome.outcome === 'unchanged') return { ...result, unchanged: true };
  return { ...result, ...(outcome.replaced ? { replaced: outcome.replaced } : {}) };
};

/**
 * At the deadline: record `DEFAULT_CHOICE` (`keep-previous`) as the defaulted choice of an account
 * that made none, on the same path as a customer's choice (evidence seq 1, state, outbox, event).
 */
export const applyDefaultChoice = async (
  deps: Omit<SettleDeps, 'content'> & { readonly content: ContentIndex },
  campaign: Campaign,
  accountId: string,
): Promise<'defaulted' | 'skipped'> => {
  const state = await deps.ledger.getState(accountId, campaign.noticeId);
  if (!state || state.acceptedVersion >= campaign.version) return 'skipped';
  const options = campaign.regions.find((r) => r.region === state.region)?.options ?? state.notified?.options ?? CHOICE_OPTION_IDS;
  const outcome = await commitChoice(deps, {
    campaign,
    accountId,
    option: DEFAULT_CHOICE,
    defaulted: true,
    shown: shownFor(deps.content, campaign, state.region, state.language, options),
    at: campaign.deadline,
  });
  return outcome.outcome === 'recorded' ? 'defaulted' : 'skipped';
};

/** How long an outbox entry without its evidence may be a write still in flight (longer than the choices Lambda's timeout). */
export const OUTBOX_GRACE_MS = 5 * 60_000;

export interface DrainReport {
  readonly published: number;
  readonly discarded: number;
  readonly waiting: number;
  readonly cursor?: string;
}

/**
 * One page of the outbox drain (a scheduler sweep step, resumable from `cursor`): an entry whose
 * evidence exists is settled (state rolled forward, event published, entry removed); one whose
 * writer lost the race for its seq, or never wrote its evidence within `graceMs`, is discarded.
 */
export const drainChoiceOutbox = async (
  deps: SettleDeps,
  input: { now: Date; cursor?: string; limit?: number; graceMs?: number; beforeRepair?: (campaignId: string) => Promise<void> },
): Promise<DrainReport> => {
  const { entries, cursor } = await deps.outbox.page({ limit: input.limit ?? 100, ...(input.cursor ? { cursor: input.cursor } : {}) });
  let published = 0;
  let discarded = 0;
  let waiting = 0;
  for (const entry of entries) {
    const evidence = await deps.ledger.getChoiceEvidence(entry.accountId, entry.noticeId, entry.campaignId, entry.seq);
    if (evidence && evidence.writer === entry.writer) {
      // The state is never more than one evidence behind (a writer settles seq n before it writes n + 1).
      // Flagged first: its writer may have died between the state and the count, which no settle redoes.
      await input.beforeRepair?.(entry.campaignId);
      if (await settleChoice(deps, entry.accountId, entry.noticeId, evidence)) published++;
      else waiting++;
    } else if (evidence || input.now.getTime() - Date.parse(entry.at) > (input.graceMs ?? OUTBOX_GRACE_MS)) {
      await deps.outbox.remove(entry);
      discarded++;
    } else {
      waiting++;
    }
  }
  return { published, discarded, waiting, ...(cursor ? { cursor } : {}) };
};
