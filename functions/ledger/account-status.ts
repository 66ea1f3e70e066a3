/** Use case: an account's status for a notice — what it accepted, what is latest, what choice governs. */
import type { Clock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import { findNotice, latestVersionAt, type PublishedContent, type PublishedNotice } from './published-variants.ts';
import type { AcceptanceStore } from './store.ts';
import type { AcceptanceState, ChoiceState, NotifiedState } from './types.ts';

/**
 * The seam to `functions/core/governance.ts` (campaigns owner): pure, from the state item and the
 * notice's versions. Its fields are merged into the status as they are.
 */
export type GovernanceFunction = (state: AcceptanceState | undefined, notice: PublishedNotice, now: Date) => object;

export interface AccountStatusDeps {
  readonly store: AcceptanceStore;
  readonly content: PublishedContent;
  readonly clock: Clock;
  readonly governance?: GovernanceFunction;
}

export interface AccountStatus {
  readonly accountId: string;
  readonly noticeId: string;
  readonly acceptedVersion: number | null;
  readonly acceptedAt: string | null;
  readonly contentHash: string | null;
  readonly region: string | null;
  readonly language: string | null;
  readonly latestVersion: number | null;
  readonly latestEffectiveDate: string | null;
  readonly [governanceField: string]: unknown;
}

/**
 * What can be said without the governance module: the choice recorded for the last notification,
 * and a pending choice while its deadline has not passed. Replaced by `governance` when given.
 */
export const fallbackGovernance = (state: AcceptanceState | undefined, _notice: PublishedNotice, now: Date) => {
  const notified: NotifiedState | undefined = state?.notified;
  const choice: ChoiceState | undefined =
    state?.choice && (!notified || state.choice.campaignId === notified.campaignId) ? state.choice : undefined;
  const pending =
    notified && !choice && (state?.acceptedVersion ?? 0) < notified.version && new Date(notified.deadline).getTime() > now.getTime()
      ? { campaignId: notified.campaignId, version: notified.version, deadline: notified.deadline, options: notified.options }
      : null;
  return { pendingChoice: pending, choice: choice ?? null };
};

/** The status route's answer; unknown notice → `NotFoundError`. */
export const accountStatus = async (deps: AccountStatusDeps, accountId: string, noticeId: string): Promise<AccountStatus> => {
  const notice = findNotice(deps.content, noticeId);
  if (!notice) throw new NotFoundError(`notice ${noticeId} does not exist`);
  const now = deps.clock.now();
  const state = await deps.store.getState(accountId, noticeId);
  const latest = latestVersionAt(notice, now);
  const governance = (deps.governance ?? fallbackGovernance)(state, notice, now);
  return {
    accountId,
    noticeId,
    acceptedVersion: state?.acceptedVersion ?? null,
    acceptedAt: state?.acceptedAt ?? null,
    contentHash: state?.contentHash ?? null,
    region: state?.region ?? null,
    language: state?.language ?? null,
    latestVersion: latest?.version ?? null,
    latestEffectiveDate: latest?.effectiveDate ?? null,
    ...governance,
  };
};
