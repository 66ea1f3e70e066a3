/** Use case: record that an account accepted one exact published variant of a notice. */
import type { Clock } from '../core/clock.ts';
import { ipPrefix } from '../core/ip-prefix.ts';
import { UnknownVariantError } from './errors.ts';
import { findNotice, publishedHash, type PublishedContent } from './published-variants.ts';
import type { AcceptanceStore } from './store.ts';
import type { AcceptanceRecord, AppendOutcome } from './types.ts';

/** User agents are evidence, not payload: keep enough to identify the client, no more. */
export const USER_AGENT_MAX_LENGTH = 256;
const DEFAULT_CHANNEL = 'api';

export interface RecordAcceptanceInput {
  readonly accountId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly language: string;
  readonly contentHash: string;
  readonly email?: string;
  readonly source?: { readonly channel?: string; readonly ip?: string; readonly userAgent?: string };
}

export interface RecordAcceptanceDeps {
  readonly store: AcceptanceStore;
  readonly content: PublishedContent;
  readonly clock: Clock;
}

/**
 * Check the variant, append the evidence once, then move the current state forward.
 * Order matters for retries: evidence first (idempotent by variant), state second (conditional on
 * being newer), contact last (a plain overwrite). A crash between steps is healed by the retry.
 */
export const recordAcceptance = async (deps: RecordAcceptanceDeps, input: RecordAcceptanceInput): Promise<AppendOutcome> => {
  if (!findNotice(deps.content, input.noticeId)) throw new UnknownVariantError(`notice ${input.noticeId} is not published`);
  const expected = publishedHash(deps.content, input);
  if (expected === undefined) {
    throw new UnknownVariantError(`version ${input.version} of ${input.noticeId} is not published for region ${input.region} in ${input.language}`);
  }
  if (expected !== input.contentHash) throw new UnknownVariantError('the content hash is not the hash of that published variant');

  const ip = input.source?.ip === undefined ? undefined : ipPrefix(input.source.ip);
  const userAgent = input.source?.userAgent?.slice(0, USER_AGENT_MAX_LENGTH);
  const record: AcceptanceRecord = {
    kind: 'acceptance',
    accountId: input.accountId,
    noticeId: input.noticeId,
    version: input.version,
    region: input.region,
    language: input.language,
    contentHash: input.contentHash,
    at: deps.clock.now().toISOString(),
    source: {
      channel: input.source?.channel ?? DEFAULT_CHANNEL,
      ...(ip === undefined ? {} : { ipPrefix: ip }),
      ...(userAgent === undefined ? {} : { userAgent }),
    },
  };
  const outcome = await deps.store.appendAcceptance(record);
  // Always attempted, also for a duplicate: it heals a crash that happened after the evidence write.
  await deps.store.advanceState(outcome.record);
  if (input.email !== undefined) await deps.store.putContact(input.accountId, input.email, record.at);
  return outcome;
};
