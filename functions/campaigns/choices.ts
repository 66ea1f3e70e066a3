/**
 * Use cases of the choice: open the choice page (reads only: mail scanners prefetch links),
 * record a customer's choice, and apply the protective default at the deadline.
 *
 * Order of writes, with no transactions (docs/design.md): evidence first (append-only, keyed by
 * campaign and instant, so a retry is a no-op), then the state item's `choice` (through the
 * ledger's port: one conditional update that returns the old value, so the counter delta is
 * derived from what it replaced), then the sharded counters, the recipient item, and the event.
 */
import type { ChoiceOption, ContentIndex } from '../core/content.ts';
import { CHOICE_OPTION_IDS, choiceOption, DEFAULT_CHOICE, isChoiceOption } from '../core/choice-options.ts';
import { GoneError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { ChoiceTokenSignatureError, ExpiredChoiceTokenError, verifyChoiceToken, type ChoiceTokenClaims } from '../core/tokens.ts';
import { shardOf } from '../ledger/keys.ts';
import type { AcceptanceStore } from '../ledger/store.ts';
import type { RecordedChoice } from '../ledger/types.ts';
import { type Campaign, type Counters, choiceEventId } from './model.ts';
import type { CampaignReader, ChoiceEventPublisher, CounterStore, RecipientChoiceStore, TokenKeyProvider } from './ports.ts';

export type { RecordedChoice } from '../ledger/types.ts';

/** The deadline has passed: no choice can be recorded any more; carries what the link was for. */
export class ChoiceClosedError extends GoneError {
  constructor(readonly claims: ChoiceTokenClaims) {
    super('the deadline for this choice has passed');
  }
}

/** Where the choice is noted besides the state item: the recipient item, for the campaign's sweeps. */
export type ChoiceStore = RecipientChoiceStore;

export interface ChoiceDeps {
  readonly content: ContentIndex;
  readonly tokenKey: TokenKeyProvider;
  readonly campaigns: CampaignReader & CounterStore;
  /** The state item (read, and its `choice` written) and the evidence. */
  readonly ledger: Pick<AcceptanceStore, 'getState' | 'appendEvidence' | 'recordChoice'>;
  readonly choices: ChoiceStore;
  readonly events: ChoiceEventPublisher;
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
    if (error instanceof ExpiredChoiceTokenError) throw new ChoiceClosedError(error.claims);
    throw error;
  }
};

/** Open the choice a link is for. Reads only: never records anything. */
export const openChoice = async (deps: ChoiceDeps, token: string, now: Date): Promise<ChoiceView> => {
  const claims = await verify(deps, token, now);
  const campaign = await deps.campaigns.getCampaign(claims.campaignId);
  if (!campaign) throw new NotFoundError('this campaign does not exist');
  // The signed expiry is the recipient's deadline: the campaign's, or a late enrolee's later one.
  if (now.getTime() >= Math.max(Date.parse(campaign.deadline), Date.parse(claims.expiresAt))) throw new ChoiceClosedError(claims);
  const state = await deps.ledger.getState(claims.accountId, campaign.noticeId);
  // A genuine link for an account the ledger does not know (never accepted, or gone): nothing to choose about.
  if (!state) throw new NotFoundError('no choice is pending for this account');
  const { region, language } = state;
  const notifiedOptions = state.notified?.campaignId === campaign.campaignId ? state.notified.options : undefined;
  const options = campaign.regions.find((r) => r.region === region)?.options ?? notifiedOptions ?? CHOICE_OPTION_IDS;
  const current = state.choice?.campaignId === campaign.campaignId ? (state.choice as RecordedChoice) : undefined;
  return { claims, campaign, region, language, options: options.length > 0 ? options : CHOICE_OPTION_IDS, ...(current ? { current } : {}) };
};

/** Record a customer's choice (the last one before the deadline governs). */
export const recordChoice = async (
  deps: ChoiceDeps,
  input: { token: string; option: unknown; source: ChoiceSource; now: Date },
): Promise<{ view: ChoiceView; choice: RecordedChoice; replaced?: ChoiceOption }> => {
  const view = await openChoice(deps, input.token, input.now);
  const option = parseOption(input.option);
  if (!option || !view.options.includes(option)) {
    throw new InvalidInputError(`option must be one of: ${view.options.join(', ')}`, [{ path: 'option', message: 'not an offered option' }]);
  }
  const { campaign, claims } = view;
  const at = input.now.toISOString();
  // Read again: the version accepted now is what a keep-previous choice keeps the old data under.
  const state = await deps.ledger.getState(claims.accountId, campaign.noticeId);
  if (!state) throw new NotFoundError('no choice is pending for this account');
  const userAgent = input.source.userAgent?.slice(0, USER_AGENT_MAX_LENGTH);

  await deps.ledger.appendEvidence(claims.accountId, campaign.noticeId, {
    kind: 'choice',
    campaignId: campaign.campaignId,
    version: campaign.version,
    option,
    defaulted: false,
    channel: 'web',
    ...(input.source.ipPrefix ? { ipPrefix: input.source.ipPrefix } : {}),
    ...(userAgent ? { userAgent } : {}),
    at,
  });

  const choice: RecordedChoice = {
    campaignId: campaign.campaignId,
    version: campaign.version,
    option,
    at,
    defaulted: false,
    ...(state.acceptedVersion < campaign.version ? { previousVersion: state.acceptedVersion } : {}),
  };
  const { applied, replaced } = await deps.ledger.recordChoice(claims.accountId, campaign.noticeId, choice);
  const replacedOption = replaced?.campaignId === campaign.campaignId ? replaced.option : undefined;
  if (applied) {
    await deps.campaigns.addCounters(campaign.campaignId, shardOf(claims.accountId), counterDeltas(option, replacedOption));
    await deps.choices.markRecipient(campaign.campaignId, claims.accountId, choice, false);
    await deps.events.publish([
      {
        eventId: choiceEventId(campaign.campaignId, claims.accountId, at),
        campaignId: campaign.campaignId,
        noticeId: campaign.noticeId,
        version: campaign.version,
        accountId: claims.accountId,
        option,
        ...(replacedOption && replacedOption !== option ? { previousOption: replacedOption } : {}),
        defaulted: false,
        at,
      },
    ]);
  }
  return { view: { ...view, current: choice }, choice, ...(replacedOption ? { replaced: replacedOption } : {}) };
};

/**
 * At the deadline: record `DEFAULT_CHOICE` (`keep-previous`) as the defaulted choice of an account that made none.
 * Idempotent: the state update only applies without a choice for the campaign; the recipient
 * mark gates the counter, so a re-run after a crash finishes the steps without counting twice.
 */
export const applyDefaultChoice = async (
  deps: Pick<ChoiceDeps, 'campaigns' | 'ledger' | 'choices' | 'events'>,
  campaign: Campaign,
  accountId: string,
): Promise<'defaulted' | 'skipped'> => {
  const at = campaign.deadline;
  const state = await deps.ledger.getState(accountId, campaign.noticeId);
  if (!state || state.acceptedVersion >= campaign.version) return 'skipped';
  const choice: RecordedChoice = {
    campaignId: campaign.campaignId,
    version: campaign.version,
    option: DEFAULT_CHOICE,
    at,
    defaulted: true,
    previousVersion: state.acceptedVersion,
  };
  const existing = state.choice?.campaignId === campaign.campaignId ? state.choice : undefined;
  if (existing && !existing.defaulted) return 'skipped';
  if (!existing) {
    const { applied } = await deps.ledger.recordChoice(accountId, campaign.noticeId, choice);
    // Lost to a customer's choice (or a concurrent default) made just now: theirs stands.
    if (!applied) return 'skipped';
  }
  // Evidence and event are idempotent (keyed by the deadline instant); the recipient mark gates the count.
  await deps.ledger.appendEvidence(accountId, campaign.noticeId, {
    kind: 'choice',
    campaignId: campaign.campaignId,
    version: campaign.version,
    option: DEFAULT_CHOICE,
    defaulted: true,
    channel: 'system',
    at,
  });
  await deps.events.publish([
    {
      eventId: choiceEventId(campaign.campaignId, accountId, at),
      campaignId: campaign.campaignId,
      noticeId: campaign.noticeId,
      version: campaign.version,
      accountId,
      option: DEFAULT_CHOICE,
      defaulted: true,
      at,
    },
  ]);
  if (!(await deps.choices.markRecipient(campaign.campaignId, accountId, choice, true))) return 'skipped';
  await deps.campaigns.addCounters(campaign.campaignId, shardOf(accountId), { defaulted: 1 });
  return 'defaulted';
};
