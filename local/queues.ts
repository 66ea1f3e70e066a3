/**
 * In-process queues with the SQS semantics the campaign engine relies on: at-least-once delivery,
 * a visibility timeout, redelivery after a failed invocation or a reported batch item failure,
 * and a dead-letter queue after `maxReceives`. Consumers call the same Lambda handlers with
 * `SQSEvent`s, so the local platform and the tests exercise the real code paths.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Queue } from '../functions/campaigns/queue.ts';
import { systemTimers } from '../functions/core/clock.ts';
import type { Timers } from '../functions/core/retry.ts';

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
}

export interface LocalQueueOptions {
  readonly name: string;
  /** @default 30000 */
  readonly visibilityTimeoutMs?: number;
  /** Receives before a message moves to the DLQ (SQS `maxReceiveCount`). @default 5 */
  readonly maxReceives?: number;
  /** Where messages go after `maxReceives`; dropped (and counted) when absent. */
  readonly deadLetterQueue?: LocalQueue<unknown>;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Append-only journal file (`DATA_DIR`): every send and delete is appended before it takes
   * effect, so the queue's messages survive a `kill -9`. On open the journal is replayed and
   * compacted; messages in flight when the process died are visible again at once (their
   * visibility timeout cannot outlive the process that received them). @default in memory
   */
  readonly journal?: string;
}

/** One journal line: a message sent (with its body) or deleted. */
type JournalEntry = { readonly op: 'send'; readonly id: string; readonly body: string; readonly receiveCount?: number } | { readonly op: 'delete'; readonly id: string };

/** One queue; implements the engine's `Queue` port. */
export class LocalQueue<T> implements Queue<T> {
  readonly name: string;
  readonly #messages = new Map<string, StoredMessage>();
  readonly #options: Required<Omit<LocalQueueOptions, 'deadLetterQueue' | 'journal'>> & { deadLetterQueue?: LocalQueue<unknown>; journal?: string };
  readonly #listeners = new Set<() => void>();
  /** Messages ever sent, received and moved to the DLQ. */
  readonly stats = { sent: 0, received: 0, deadLettered: 0 };

  constructor(options: LocalQueueOptions) {
    this.name = options.name;
    this.#options = { visibilityTimeoutMs: 30_000, maxReceives: 5, now: Date.now, ...options };
    if (options.journal) this.#replay(options.journal);
  }

  /** Rebuild the messages from the journal, then rewrite it with only those (compaction). */
  #replay(journal: string): void {
    mkdirSync(dirname(journal), { recursive: true });
    if (existsSync(journal)) {
      for (const line of readFileSync(journal, 'utf8').split('\n')) {
        if (!line) continue;
        let entry: JournalEntry;
        try {
          entry = JSON.parse(line) as JournalEntry;
        } catch {
          continue; // the last line of a killed process may be cut short: that append never took effect
        }
        if (entry.op === 'send') this.#messages.set(entry.id, { id: entry.id, body: entry.body, receiveCount: entry.receiveCount ?? 0, visibleAt: 0 });
        else this.#messages.delete(entry.id);
      }
    }
    const live = [...this.#messages.values()].map((m) => JSON.stringify({ op: 'send', id: m.id, body: m.body, receiveCount: m.receiveCount } satisfies JournalEntry) + '\n');
    writeFileSync(`${journal}.tmp`, live.join(''));
    renameSync(`${journal}.tmp`, journal);
  }

  /** Append one entry before it takes effect (synchronously: the page cache outlives a killed process). */
  #journal(entry: JournalEntry): void {
    if (this.#options.journal) appendFileSync(this.#options.journal, JSON.stringify(entry) + '\n');
  }

  async send(messages: readonly T[]): Promise<void> {
    for (const message of messages) this.sendRaw(JSON.stringify(message));
  }

  /** Enqueue an already serialised body. */
  sendRaw(body: string): void {
    const id = randomUUID();
    this.#journal({ op: 'send', id, body });
    this.#messages.set(id, { id, body, receiveCount: 0, visibleAt: 0 });
    this.stats.sent++;
    for (const listener of this.#listeners) listener();
  }

  /** Up to `max` visible messages, now invisible for the visibility timeout. */
  receive(max: number): SQSRecord[] {
    const now = this.#options.now();
    const records: SQSRecord[] = [];
    for (const message of this.#messages.values()) {
      if (records.length >= max) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= this.#options.maxReceives) {
        this.#options.deadLetterQueue?.sendRaw(message.body);
        this.#journal({ op: 'delete', id: message.id });
        this.#messages.delete(message.id);
        this.stats.deadLettered++;
        continue;
      }
      message.receiveCount++;
      message.visibleAt = now + this.#options.visibilityTimeoutMs;
      message.receipt = randomUUID();
      this.stats.received++;
      records.push(toRecord(this.name, message));
    }
    return records;
  }

  /** Delete a received message; a stale receipt (the message was redelivered since) deletes nothing, like SQS. */
  delete(messageId: string, receiptHandle: string): void {
    const message = this.#messages.get(messageId);
    if (message && message.receipt === receiptHandle) {
      this.#journal({ op: 'delete', id: messageId });
      this.#messages.delete(messageId);
    }
  }

  /** Make a received message visible again after `delayMs` (0: at once). */
  release(messageId: string, receiptHandle: string, delayMs = 0): void {
    const message = this.#messages.get(messageId);
    if (message && message.receipt === receiptHandle) message.visibleAt = this.#options.now() + delayMs;
  }

  /** Messages in the queue, visible or in flight. */
  get depth(): number {
    return this.#messages.size;
  }

  /** The bodies currently held (tests, the DLQ). */
  bodies(): string[] {
    return [...this.#messages.values()].map((message) => message.body);
  }

  /** Called whenever a message arrives (consumers wake up). */
  onMessage(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const toRecord = (queueName: string, message: StoredMessage): SQSRecord => ({
  messageId: message.id,
  receiptHandle: message.receipt!,
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: '0',
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:local:000000000000:${queueName}`,
  awsRegion: 'local',
});

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** The invocation ran past its function timeout: Lambda ends it and the batch returns to the queue. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
  constructor(functionName: string, timeoutMs: number) {
    super(`${functionName}: task timed out after ${timeoutMs / 1000} seconds`);
  }
}

/** A Lambda context whose `getRemainingTimeInMillis()` counts down from `timeoutMs`, as Lambda's does. */
export const lambdaContext = (functionName: string, timeoutMs: number, now: () => number = performance.now.bind(performance)): Context => {
  const deadline = now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - now())),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};

export interface ConsumerOptions {
  /** SQS event source `batchSize`. @default 10 */
  readonly batchSize?: number;
  /** Concurrent invocations (Lambda concurrency). @default 1 */
  readonly concurrency?: number;
  /**
   * Like the event source mapping's `MaximumBatchingWindowInSeconds`: with fewer than `batchSize`
   * messages visible, keep gathering for up to this long before invoking. @default 0
   */
  readonly batchingWindowMs?: number;
  /** Poll interval when the queue has nothing visible. @default 25 */
  readonly pollMs?: number;
  /** Told about a failed invocation (the messages are redelivered after the visibility timeout). */
  readonly onInvocationError?: (error: unknown) => void;
  /**
   * The function's timeout (the manifest's `timeoutSeconds`): the context's remaining time counts
   * down from it, and an invocation still running at it fails with `FunctionTimeoutError`, its
   * batch left to reappear after the visibility timeout, as Lambda does. @default no timeout
   */
  readonly timeoutMs?: number;
  /** The function name the context carries. @default the queue's name */
  readonly functionName?: string;
}

export interface Consumer {
  stop(): Promise<void>;
  /** Resolves when the queue is empty and no invocation is running. */
  drained(): Promise<void>;
  /** Invocations (`timedOut` among the failed) and the time spent in the handler (Lambda duration, for cost estimates). */
  readonly invocations: { ok: number; failed: number; timedOut: number; ms: number };
}

/** Drive `handler` from `queue` like an SQS event source mapping with `ReportBatchItemFailures`. */
export const startConsumer = (queue: LocalQueue<unknown>, handler: SqsHandler, options: ConsumerOptions = {}): Consumer => {
  const batchSize = options.batchSize ?? 10;
  const pollMs = options.pollMs ?? 25;
  let running = 0;
  let stopped = false;
  const invocations = { ok: 0, failed: 0, timedOut: 0, ms: 0 };
  const functionName = options.functionName ?? queue.name;
  /** The handler's answer, or `FunctionTimeoutError` once the timeout passes (the handler is abandoned, as Lambda freezes it). */
  const invoke = async (event: SQSEvent): Promise<SQSBatchResponse | void> => {
    const timeoutMs = options.timeoutMs;
    const context = lambdaContext(functionName, timeoutMs ?? 900_000);
    if (timeoutMs === undefined) return handler(event, context);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeoutError(functionName, timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([handler(event, context), overrun]);
    } finally {
      clearTimeout(timer);
    }
  };
  const idleWaiters = new Set<() => void>();
  const workers: Promise<void>[] = [];
  const wakers = new Set<() => void>();

  const checkIdle = () => {
    if (running === 0 && queue.depth === 0) for (const resolve of idleWaiters) resolve();
  };

  // The idle poll is event-loop scheduling (cancelled early by a new message), not a retry wait.
  const waitForWork = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });
  const wakeAll = () => [...wakers].forEach((wake) => wake());
  const unsubscribe = queue.onMessage(wakeAll);

  const worker = async () => {
    while (!stopped) {
      let records = queue.receive(batchSize);
      if (records.length === 0) {
        checkIdle();
        await waitForWork();
        continue;
      }
      const gatherUntil = performance.now() + (options.batchingWindowMs ?? 0);
      while (!stopped && records.length < batchSize && performance.now() < gatherUntil) {
        await waitForWork();
        records = records.concat(queue.receive(batchSize - records.length));
      }
      running++;
      const startedAt = performance.now();
      try {
        const response = await invoke({ Records: records });
        const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        for (const record of records) {
          if (!failed.has(record.messageId)) queue.delete(record.messageId, record.receiptHandle);
        }
        invocations.ok++;
      } catch (error) {
        // Like Lambda: the whole batch stays in the queue and reappears after the visibility timeout.
        invocations.failed++;
        if (error instanceof FunctionTimeoutError) invocations.timedOut++;
        options.onInvocationError?.(error);
      } finally {
        invocations.ms += performance.now() - startedAt;
        running--;
        checkIdle();
      }
    }
  };
  for (let i = 0; i < (options.concurrency ?? 1); i++) workers.push(worker());

  return {
    invocations,
    async stop() {
      stopped = true;
      wakeAll();
      unsubscribe();
      await Promise.all(workers);
    },
    drained: () =>
      new Promise<void>((resolve) => {
        if (running === 0 && queue.depth === 0) return resolve();
        const done = () => {
          idleWaiters.delete(done);
          resolve();
        };
        idleWaiters.add(done);
      }),
  };
};

/** How long the queues must stay drained before `drainAll` believes it: a handler's sends land within it. */
const SETTLE_MS = 5;

/** Wait until every consumer's queue is empty at the same moment (work moves between queues). */
export const drainAll = async (consumers: readonly Consumer[], timers: Pick<Timers, 'sleep'> = systemTimers): Promise<void> => {
  for (;;) {
    await Promise.all(consumers.map((consumer) => consumer.drained()));
    // A later queue may have fed an earlier one while we waited: check all again, settled.
    await timers.sleep(SETTLE_MS);
    // Still drained within this turn of the event loop, or not: scheduling, not a wait.
    const settled = await Promise.race([
      Promise.all(consumers.map((consumer) => consumer.drained())).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 0)),
    ]);
    if (settled) return;
  }
};
