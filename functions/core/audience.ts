/**
 * Audience rules, pure: which regions of a notice version must be offered a choice, which may
 * get an informational email, and which get nothing (PRODUCT.md "Domain rules").
 */
import { CHOICE_OPTION_IDS, DEFAULT_CHOICE } from './choice-options.ts';
import type { ChoiceOption, ContentIndex, DeclaredChange, IndexedNotice, IndexedVersion, RegionId } from './content.ts';
import { NotFoundError } from './errors.ts';

export type RegionNotification = 'choice' | 'informational';

export interface RegionPlan {
  readonly region: RegionId;
  readonly notification: RegionNotification;
  /** Options offered (choice regions only; empty for informational). */
  readonly options: readonly ChoiceOption[];
  /** The declared changes that caused the notification, in declaration order. */
  readonly changes: readonly DeclaredChange[];
}

export interface AudiencePlan {
  readonly noticeId: string;
  readonly version: number;
  readonly effectiveDate: string;
  /** Default deadline: 00:00:00 UTC of the version's effective date, ISO 8601. */
  readonly defaultDeadline: string;
  /** Regions to notify, in the notice's region order; empty when nobody is notified. */
  readonly regions: readonly RegionPlan[];
}

export interface AudienceRuleOptions {
  /** Send informational emails for material changes that need no choice. @default false */
  readonly informational?: boolean;
}

/** A material change that lowers protection of previously collected data: the one kind that needs a choice. */
export const requiresChoice = (change: DeclaredChange): boolean =>
  change.kind === 'material' && change.effect === 'lowers' && change.scope === 'previously-collected';

/** A material change that is worth telling about without a choice (neither a raise nor a choice case). */
const isInformational = (change: DeclaredChange): boolean =>
  change.kind === 'material' && change.effect !== 'raises' && !requiresChoice(change);

/** A change in a common section applies to every region; a regional one only to its region. */
const appliesTo = (change: DeclaredChange, region: RegionId): boolean => change.region === null || change.region === region;

/** Options every applicable change allows (a customer makes one choice for the version). */
const offeredOptions = (changes: readonly DeclaredChange[]): ChoiceOption[] => {
  const common = CHOICE_OPTION_IDS.filter((option) => changes.every((change) => (change.choices ?? CHOICE_OPTION_IDS).includes(option)));
  // Changes that allow disjoint options still leave the protective default, which applies anyway.
  return common.length > 0 ? common : [DEFAULT_CHOICE];
};

/** The notice and version, or a `NotFoundError`. */
export const findVersion = (
  content: ContentIndex,
  noticeId: string,
  version: number,
): { notice: IndexedNotice; version: IndexedVersion } => {
  const notice = content.notices.find((candidate) => candidate.noticeId === noticeId);
  if (!notice) throw new NotFoundError(`notice ${noticeId} does not exist`);
  const found = notice.versions.find((candidate) => candidate.version === version);
  if (!found) throw new NotFoundError(`notice ${noticeId} has no version ${version}`);
  return { notice, version: found };
};

/** Who must be notified of `noticeId` version `version`, and how. */
export const planAudience = (
  content: ContentIndex,
  noticeId: string,
  version: number,
  options: AudienceRuleOptions = {},
): AudiencePlan => {
  const { notice, version: compiled } = findVersion(content, noticeId, version);
  const regions: RegionPlan[] = [];
  for (const region of notice.regions) {
    const applicable = compiled.changes.filter((change) => appliesTo(change, region));
    const choiceChanges = applicable.filter(requiresChoice);
    if (choiceChanges.length > 0) {
      regions.push({ region, notification: 'choice', options: offeredOptions(choiceChanges), changes: choiceChanges });
      continue;
    }
    const informationalChanges = applicable.filter(isInformational);
    if (options.informational && informationalChanges.length > 0) {
      regions.push({ region, notification: 'informational', options: [], changes: informationalChanges });
    }
  }
  return {
    noticeId,
    version,
    effectiveDate: compiled.effectiveDate,
    defaultDeadline: `${compiled.effectiveDate}T00:00:00.000Z`,
    regions,
  };
};

/** The campaign id of a notice version: one campaign per notice version. */
export const campaignIdFor = (noticeId: string, version: number): string => `${noticeId}-v${version}`;
