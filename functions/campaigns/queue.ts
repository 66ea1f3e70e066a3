/**
 * The `Queue` port the campaign engine sends work through, and its SQS adapter. Locally the
 * in-process queues (`local/queues.ts`) implement the same port.
 */
import { type SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';

/** Sends JSON messages; resolves once every message is durably enqueued. */
export interface Queue<T> {
  send(messages: readonly T[]): Promise<void>;
}

/** SQS takes at most 10 entries per `SendMessageBatch`. */
const SQS_BATCH = 10;
const MAX_ATTEMPTS = 6;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface SqsQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** `Queue` over SQS: batches of 10, partial failures retried with jittered backoff. */
export class SqsQueue<T> implements Queue<T> {
  readonly #options: SqsQueueOptions;

  constructor(options: SqsQueueOptions) {
    if (!options.queueUrl) throw new TypeError('SqsQueue needs a queueUrl');
    this.#options = options;
  }

  async send(messages: readonly T[]): Promise<void> {
    for (let offset = 0; offset < messages.length; offset += SQS_BATCH) {
      let pending = messages.slice(offset, offset + SQS_BATCH).map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`SQS kept refusing ${pending.length} messages`);
        if (attempt > 0) await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
        const result = await this.#options.client.send(new SendMessageBatchCommand({ QueueUrl: this.#options.queueUrl, Entries: pending }));
        const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
        pending = pending.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
