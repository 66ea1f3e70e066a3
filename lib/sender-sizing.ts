/**
 * The sender's timeout, batch size and concurrency, derived from the send quota so that a full
 * batch always fits in one invocation: each of `concurrency` senders gets about `quota /
 * concurrency` recipients a second, a message carries up to 50 recipients, so a batch of
 * `batchSize` messages needs `batchSize × 50 ÷ (quota / concurrency)` seconds of quota; the
 * timeout is twice that plus a fixed allowance (claims, contacts, the hand-back), never below
 * the 60 s the sender had. Pure, so the sender test and the infra test use the same numbers.
 */

/** Recipients per send message (SES `SendBulkEmail`'s 50 destinations). */
export const RECIPIENTS_PER_MESSAGE = 50;
/** Lambda's limit on a function's timeout. */
export const MAX_TIMEOUT_SECONDS = 900;
/** A batch's quota time is at most this share of the timeout. */
export const QUOTA_SHARE_OF_TIMEOUT = 0.5;
/** Seconds for what is not quota wait: claims, contacts, evidence of the last call, releases. */
export const FIXED_ALLOWANCE_SECONDS = 15;
const MIN_TIMEOUT_SECONDS = 60;
const MAX_BATCH_SIZE = 10;

export interface SenderSizing {
  /** Reserved concurrency and the event source's maximum concurrency. */
  readonly concurrency: number;
  /** SQS messages per invocation. */
  readonly batchSize: number;
  readonly timeoutSeconds: number;
}

/** The sender's sizing for a quota of `quotaPerSecond` recipients a second (≥ 1). */
export const senderSizing = (quotaPerSecond: number): SenderSizing => {
  if (!(quotaPerSecond >= 1)) throw new RangeError('the send quota must be at least 1 per second');
  // Enough senders that their SES calls (~1 s each, two at a time) keep up with the quota, and two at least.
  const concurrency = Math.max(2, Math.ceil(quotaPerSecond / RECIPIENTS_PER_MESSAGE) + 1);
  const secondsPerMessage = RECIPIENTS_PER_MESSAGE / (quotaPerSecond / concurrency);
  const quotaBudget = (MIN_TIMEOUT_SECONDS - FIXED_ALLOWANCE_SECONDS) * QUOTA_SHARE_OF_TIMEOUT;
  const batchSize = Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor(quotaBudget / secondsPerMessage)));
  const needed = Math.ceil((batchSize * secondsPerMessage) / QUOTA_SHARE_OF_TIMEOUT) + FIXED_ALLOWANCE_SECONDS;
  const timeoutSeconds = Math.min(MAX_TIMEOUT_SECONDS, Math.max(MIN_TIMEOUT_SECONDS, needed));
  return { concurrency, batchSize, timeoutSeconds };
};
