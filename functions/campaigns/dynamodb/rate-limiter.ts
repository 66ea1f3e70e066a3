/**
 * A send quota shared by every concurrent sender, as a pacer: one `RATE#<name>` item holds the
 * quota's "theoretical arrival time" (GCRA, the virtual-scheduling form of a token bucket). Each
 * acquisition reserves the next `n / rate` seconds of it with one update and then waits until its
 * reservation starts. Reservations are back to back, so the senders together run at the quota,
 * never above it, and a partial batch wastes nothing (a fixed window loses what a batch that
 * does not fit leaves of it). Reserving is an arithmetic update, not a compare-and-swap, so
 * concurrent senders do not retry against each other; only the switch between an idle and a busy
 * quota is conditional.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Clock, systemTimers } from '../../core/clock.ts';
import type { Timers } from '../../core/retry.ts';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import { CampaignConfigurationError } from '../errors.ts';
import type { RateLimiter } from '../ports.ts';

export interface PacedRateLimiterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Quota name: the item is `RATE#<name>`. @default 'ses' */
  readonly name?: string;
  /** Units (recipients) per second. */
  readonly ratePerSecond: number;
  /** The largest single acquisition (one `SendBulkEmail`). @default 50 */
  readonly maxAcquire?: number;
  readonly clock: Clock;
  /** Waits for a reservation to start. @default systemTimers */
  readonly timers?: Timers;
}

/** Both forms of the reservation failing this often means the item is being fought over beyond reason. */
const MAX_ROUNDS = 20;

/** A pacing limiter on DynamoDB: one update per acquisition in steady state. */
export class PacedRateLimiter implements RateLimiter {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #key: { pk: string; sk: string };
  readonly #msPerUnit: number;
  readonly #maxAcquire: number;
  readonly #clock: Clock;
  readonly #timers: Timers;
  /** What the last acquisition found: a busy quota is reserved behind, an idle one from now. */
  #busy = false;

  constructor(options: PacedRateLimiterOptions) {
    if (!(options.ratePerSecond >= 1)) throw new CampaignConfigurationError('the send quota must be at least 1 per second');
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#key = { pk: `RATE#${options.name ?? 'ses'}`, sk: 'GCRA' };
    this.#msPerUnit = 1000 / options.ratePerSecond;
    this.#maxAcquire = options.maxAcquire ?? 50;
    this.#clock = options.clock;
    this.#timers = options.timers ?? systemTimers;
  }

  /**
   * Reserve `n` units and wait for the reservation; resolves with its start (epoch ms), or with
   * `false`, reserving nothing, when the reservation would start after `latestStartMs`.
   */
  acquire(n: number): Promise<number>;
  acquire(n: number, latestStartMs: number | undefined): Promise<number | false>;
  async acquire(n: number, latestStartMs?: number): Promise<number | false> {
    if (n > this.#maxAcquire) throw new CampaignConfigurationError(`cannot take ${n} units at once (at most ${this.#maxAcquire})`);
    const now = this.#clock.now().getTime();
    if (n <= 0) return now;
    const start = await this.#reserve(n * this.#msPerUnit, latestStartMs);
    if (start === false) return false;
    const wait = start - this.#clock.now().getTime();
    if (wait > 0) await this.#timers.sleep(Math.ceil(wait));
    return start;
  }

  async #reserve(durationMs: number, latestStartMs: number | undefined): Promise<number | false> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.#clock.now().getTime();
      if (latestStartMs !== undefined && now > latestStartMs) return false;
      try {
        if (this.#busy) {
          // Busy: append behind the last reservation, if that starts in time.
          const result = await this.#client.send(
            new UpdateCommand({
              TableName: this.#tableName,
              Key: this.#key,
              UpdateExpression: 'SET #tat = #tat + :duration',
              ConditionExpression: latestStartMs === undefined ? '#tat >= :now' : '#tat >= :now AND #tat <= :latest',
              ExpressionAttributeNames: { '#tat': 'tat' },
              ExpressionAttributeValues: { ':duration': durationMs, ':now': now, ...(latestStartMs === undefined ? {} : { ':latest': latestStartMs }) },
              ReturnValues: 'UPDATED_NEW',
            }),
          );
          return Number(result.Attributes?.['tat']) - durationMs;
        }
        // Idle: nothing reserved beyond now, so this reservation starts now.
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: this.#key,
            UpdateExpression: 'SET #tat = :end',
            ConditionExpression: 'attribute_not_exists(#tat) OR #tat < :now',
            ExpressionAttributeNames: { '#tat': 'tat' },
            ExpressionAttributeValues: { ':end': now + durationMs, ':now': now },
          }),
        );
        this.#busy = true;
        return now;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // A busy reservation failed either because the quota went idle or because it is booked beyond the deadline.
        if (this.#busy && latestStartMs !== undefined && (await this.#bookedUntil()) > latestStartMs) return false;
        this.#busy = !this.#busy;
      }
    }
    throw new Error(`send quota ${this.#key.pk}: no reservation after ${MAX_ROUNDS} rounds`);
  }

  /** Where the reservations end now (epoch ms; 0 for a quota never used). */
  async #bookedUntil(): Promise<number> {
    const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: this.#key, ConsistentRead: true }));
    return Number(result.Item?.['tat'] ?? 0);
  }
}
