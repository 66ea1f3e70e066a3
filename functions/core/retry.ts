/**
 * One retry policy for every loop that waits and tries again (SES calls, SQS batches, DynamoDB
 * unprocessed items, event publishing, engine start-up). Sleep and randomness are injected, so
 * the core stays pure and tests run without waiting.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Waiting and randomness, the two effects a retry loop needs: a port, injected. */
export interface Timers {
  sleep(ms: number): Promise<void>;
  random(): number;
}

/** Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(max, base·2^attempt)]. */
export const backoffMs = (attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number): number =>
  Math.floor(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt));

export interface RetryingOptions {
  readonly policy: RetryPolicy;
  readonly timers: Timers;
  /** Whether a failure is worth another attempt. @default every failure */
  readonly retryable?: (error: unknown) => boolean;
}

/**
 * Run `attempt` until it resolves, waiting a jittered backoff between failures. A failure that is
 * not retryable is rethrown at once; when the attempts run out, the last failure is rethrown.
 */
export const retrying = async <T>(attempt: (n: number) => Promise<T>, options: RetryingOptions): Promise<T> => {
  const { policy, timers } = options;
  const retryable = options.retryable ?? (() => true);
  for (let n = 0; ; n++) {
    if (n > 0) await timers.sleep(backoffMs(n, policy, timers.random));
    try {
      return await attempt(n);
    } catch (error) {
      if (!retryable(error) || n + 1 >= policy.attempts) throw error;
    }
  }
};
