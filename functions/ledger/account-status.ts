/** Use case: an account's status for a notice — what it accepted, what is latest, what choice governs. */
import type { Clock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import { governance, type ChoiceMade, type GoverningVersion, type PendingChoice } from '../core/governance.ts';
import { findNotice, latestVersionAt, type PublishedContent } from './published-variants.ts';
import type { AcceptanceStore } from './store.ts';

export interface AccountStatusDeps {
  readonly store: AcceptanceStore;
  readonly content: PublishedContent;
  readonly clock: Clock;
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
  /** A change notice awaiting this account's answer (deadline, options), or null. */
  readonly pendingChoice: PendingChoice | null;
  /** The choice that governs (made or defaulted), or null. */
  readonly choice: ChoiceMade | null;
  /** Which version governs data collected before/from which date. */
  readonly governs: readonly GoverningVersion[];
}

/** The status route's answer; unknown notice → `NotFoundError`. */
export const accountStatus = async (deps: AccountStatusDeps, accountId: string, noticeId: string): Promise<AccountStatus> => {
  const notice = findNotice(deps.content, noticeId);
  if (!notice) throw new NotFoundError(`notice ${noticeId} does not exist`);
  const now = deps.clock.now();
  const state = await deps.store.getState(accountId, noticeId);
  const latest = latestVersionAt(notice, now);
  const governed = governance(state, notice, now);
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
    pendingChoice: governed.pendingChoice ?? null,
    choice: governed.choice ?? null,
    governs: governed.governs,
  };
};
