/**
 * A send quota shared by every concurrent sender: a fixed-window counter per second on a
 * `RATE#<name>` item, taken with one conditional ADD per SES call. When the window is full the
 * caller waits for the next one. Windows expire through the table's TTL.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../core/clock.ts';
import { CampaignConfigurationError } from './errors.ts';

/** Takes `n` units of a shared quota, waiting as long as needed. */
export interface RateLimiter {
  acquire(n: number): Promise<void>;
}

export interface FixedWindowRateLimiterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Quota name: the item is `RATE#<name>`. @default 'ses' */
  readonly name?: string;
  /** Units (recipients) allowed per window. */
  readonly limit: number;
  /** @default 1000 (a per-second quota, as SES states it) */
  readonly windowMs?: number;
  readonly clock: Clock;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source for the jitter that keeps waiting senders from stampeding one window. @default Math.random */
  readonly random?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** Fixed-window limiter on DynamoDB (one conditional write per acquisition). */
export class FixedWindowRateLimiter implements RateLimiter {
  readonly #options: Required<Omit<FixedWindowRateLimiterOptions, 'name'>> & { name: string };

  constructor(options: FixedWindowRateLimiterOptions) {
    if (!(options.limit >= 1)) throw new CampaignConfigurationError('the send quota must be at least 1 per window');
    this.#options = {
      name: 'ses',
      windowMs: 1000,
      sleep: defaultSleep,
      random: Math.random,
      ...options,
    };
  }

  async acquire(n: number): Promise<void> {
    const { client, tableName, name, limit, windowMs, clock, sleep, random } = this.#options;
    if (n > limit) throw new CampaignConfigurationError(`cannot take ${n} units from a quota of ${limit} per window`);
    if (n <= 0) return;
    for (;;) {
      const now = clock.now().getTime();
      const window = Math.floor(now / windowMs);
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `RATE#${name}`, sk: String(window) },
            UpdateExpression: 'ADD #used :n SET #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(#used) OR #used <= :room',
            ExpressionAttributeNames: { '#used': 'used', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':n': n, ':room': limit - n, ':ttl': Math.ceil(((window + 1) * windowMs) / 1000) + 3600 },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // Full: wait for the next window, plus a little jitter so waiters do not all hit it at once.
      const nextWindowAt = (window + 1) * windowMs;
      await sleep(Math.max(0, nextWindowAt - clock.now().getTime()) + Math.floor(random() * Math.min(20, windowMs / 50)));
    }
  }
}

/** No quota (tests, and a local run without one). */
export const unlimited: RateLimiter = { acquire: async () => {} };
