/** Use case: record that an account accepted one exact published variant of a notice. */
import type { Clock } from '../core/clock.ts';
import { ipPrefix } from '../core/ip-prefix.ts';
import { InvalidInputError } from '../core/errors.ts';
import { UnknownVariantError } from './errors.ts';
import { findNotice, publishedHash, type PublishedContent } from './published-variants.ts';
import type { AcceptanceStore } from './store.ts';
import { eventTime, type AcceptanceRecord, type AppendOutcome } from './types.ts';

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
  /** Import only (a service or admin principal; the caller checks who): when the customer accepted, in the past. */
  readonly acceptedAt?: string;
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
 * being newer), contact last (only for a new acceptance, never over a later erasure). A crash
 * between steps is healed by the retry, except the contact write after a crash (the retry is a
 * duplicate): the client sets it with PUT …/contact.
 */
export const recordAcceptance = async (deps: RecordAcceptanceDeps, input: RecordAcceptanceInput): Promise<AppendOutcome> => {
  if (!findNotice(deps.content, input.noticeId)) throw new UnknownVariantError(`notice ${input.noticeId} is not published`);
  const expected = publishedHash(deps.content, input);
  if (expected === undefined) {
    throw new UnknownVariantError(`version ${input.version} of ${input.noticeId} is not published for region ${input.region} in ${input.language}`);
  }
  if (expected !== input.contentHash) throw new UnknownVariantError('the content hash is not the hash of that published variant');

  const now = deps.clock.now();
  if (input.acceptedAt !== undefined && Date.parse(input.acceptedAt) > now.getTime()) {
    throw new InvalidInputError('acceptedAt is in the future: an import records acceptances that already happened', [{ path: 'acceptedAt', message: 'must not be in the future' }]);
  }
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
    at: now.toISOString(),
    ...(input.acceptedAt === undefined ? {} : { acceptedAt: new Date(input.acceptedAt).toISOString(), imported: true }),
    source: {
      channel: input.source?.channel ?? DEFAULT_CHANNEL,
      ...(ip === undefined ? {} : { ipPrefix: ip }),
      ...(userAgent === undefined ? {} : { userAgent }),
    },
  };
  const outcome = await deps.store.appendAcceptance(record);
  // Always attempted, also for a duplicate: it heals a crash that happened after the evidence write.
  await deps.store.advanceState(outcome.record);
  // Only a new acceptance carries an address: a duplicate is a replay of a request that may predate an erasure,
  // and the store refuses an acceptance older than the contact's tombstone.
  if (input.email !== undefined && outcome.created) await deps.store.putContact(input.accountId, input.email, eventTime(outcome.record), 'acceptance');
  return outcome;
};
