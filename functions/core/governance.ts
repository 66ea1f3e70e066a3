/**
 * Which version of a notice governs an account's data, pure: from the account's state item
 * (acceptance, `notified`, `choice`) and the notice's versions. The status route reports it.
 *
 * - no choice asked for: the accepted version governs everything;
 * - a choice pending (notified, no answer, before the deadline): still the accepted version;
 * - an answer (chosen or defaulted) acts by its option's `previousData` (`choice-options.ts`):
 *   - `previous-version` (`keep-previous`): data collected before version N's effective date
 *     stays under the version accepted before; data collected from then on is under N;
 *   - `new-version` (`accept`): everything under N;
 *   - `deleted` (`delete`): previously collected data is deleted; data collected from N's
 *     effective date is under N.
 *
 * Past the deadline with no recorded answer, the protective default already applies, so it is
 * reported as a defaulted `DEFAULT_CHOICE` even before the deadline job has written it.
 */
import { choiceOption, DEFAULT_CHOICE, type ChoiceOption } from './choice-options.ts';

/** The part of a compiled notice governance reads (a `CompiledNotice` is one). */
export interface NoticeVersions {
  readonly versions: readonly { readonly version: number; readonly effectiveDate: string }[];
}

export interface GovernanceState {
  readonly acceptedVersion: number;
  readonly notified?: {
    readonly campaignId: string;
    readonly version: number;
    readonly deadline: string;
    readonly options: readonly ChoiceOption[];
  };
  readonly choice?: {
    readonly campaignId: string;
    readonly version: number;
    readonly option: ChoiceOption;
    readonly at: string;
    readonly defaulted: boolean;
    /** The version accepted when the choice was made (written by the choice use case). */
    readonly previousVersion?: number;
  };
}

export interface PendingChoice {
  readonly campaignId: string;
  readonly version: number;
  readonly deadline: string;
  readonly options: readonly ChoiceOption[];
}

export interface ChoiceMade {
  readonly option: ChoiceOption;
  readonly at: string;
  readonly defaulted: boolean;
  readonly version: number;
}

export interface GoverningVersion {
  readonly version: number;
  /** Bounds on when the data was collected: `before` exclusive, `from` inclusive (`YYYY-MM-DD`, 00:00 UTC). Neither = all data. */
  readonly forDataCollected: { readonly before?: string; readonly from?: string };
}

export interface Governance {
  readonly pendingChoice?: PendingChoice;
  readonly choice?: ChoiceMade;
  readonly governs: readonly GoverningVersion[];
}

const effectiveDateOf = (notice: NoticeVersions, version: number): string | undefined =>
  notice.versions.find((candidate) => candidate.version === version)?.effectiveDate;

/** The versions that govern an account's data after `option`: what the option does to previously collected data, from its definition. */
const governedBy = (option: ChoiceOption, previous: number, version: number, effectiveDate: string | undefined): GoverningVersion[] => {
  if (effectiveDate === undefined || previous >= version) return [{ version, forDataCollected: {} }];
  switch (choiceOption(option).previousData) {
    case 'new-version':
      return [{ version, forDataCollected: {} }];
    case 'deleted':
      return [{ version, forDataCollected: { from: effectiveDate } }];
    case 'previous-version':
      return [
        { version: previous, forDataCollected: { before: effectiveDate } },
        { version, forDataCollected: { from: effectiveDate } },
      ];
  }
};

/** What the status route reports about choices and which version governs which data. */
export const governance = (state: GovernanceState | undefined, notice: NoticeVersions, now: Date): Governance => {
  // An account that never accepted a version has nothing governed by this notice yet.
  if (!state) return { governs: [] };
  const { notified, choice } = state;
  const answered = choice && notified && choice.campaignId === notified.campaignId ? choice : notified ? undefined : choice;

  if (notified && !answered && state.acceptedVersion < notified.version) {
    const deadlinePassed = now.getTime() >= Date.parse(notified.deadline);
    if (!deadlinePassed) {
      return {
        pendingChoice: { campaignId: notified.campaignId, version: notified.version, deadline: notified.deadline, options: notified.options },
        governs: [{ version: state.acceptedVersion, forDataCollected: {} }],
      };
    }
    const defaulted: ChoiceMade = { option: DEFAULT_CHOICE, at: notified.deadline, defaulted: true, version: notified.version };
    return {
      choice: defaulted,
      governs: governedBy(DEFAULT_CHOICE, state.acceptedVersion, notified.version, effectiveDateOf(notice, notified.version)),
    };
  }

  if (answered) {
    const previous = answered.previousVersion ?? Math.min(state.acceptedVersion, answered.version - 1);
    return {
      choice: { option: answered.option, at: answered.at, defaulted: answered.defaulted, version: answered.version },
      governs: governedBy(answered.option, previous, answered.version, effectiveDateOf(notice, answered.version)),
    };
  }

  return { governs: [{ version: state.acceptedVersion, forDataCollected: {} }] };
};
