/**
 * The SQS adapter of the `Queue` port the campaign engine sends work through. Locally the
 * in-process queues (`local/queues.ts`) implement the same port.
 */
import { type SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { systemTimers } from '../core/clock.ts';
import { backoffMs, type RetryPolicy, type Timers } from '../core/retry.ts';
import type { Queue } from './ports.ts';

export type { Queue } from './ports.ts';

/** SQS takes at most 10 entries per `SendMessageBatch`. */
const SQS_BATCH = 10;
/** Entries SQS refused are sent again this often, backing off up to 2 s. */
const SQS_RETRY: RetryPolicy = { attempts: 6, baseMs: 50, maxMs: 2000 };

export interface SqsQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Waits between retries of refused entries. @default systemTimers */
  readonly timers?: Timers;
}

/** `Queue` over SQS: batches of 10, partial failures retried with jittered backoff. */
export class SqsQueue<T> implements Queue<T> {
  readonly #options: SqsQueueOptions;
  readonly #timers: Timers;

  constructor(options: SqsQueueOptions) {
    if (!options.queueUrl) throw new TypeError('SqsQueue needs a queueUrl');
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
  }

  async send(messages: readonly T[]): Promise<void> {
    for (let offset = 0; offset < messages.length; offset += SQS_BATCH) {
      let pending = messages.slice(offset, offset + SQS_BATCH).map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= SQS_RETRY.attempts) throw new Error(`SQS kept refusing ${pending.length} messages`);
        if (attempt > 0) await this.#timers.sleep(backoffMs(attempt, SQS_RETRY, this.#timers.random));
        const result = await this.#options.client.send(new SendMessageBatchCommand({ QueueUrl: this.#options.queueUrl, Entries: pending }));
        const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
        pending = pending.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
