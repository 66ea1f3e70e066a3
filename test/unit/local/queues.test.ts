import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainAll, FunctionTimeoutError, LocalQueue, lambdaContext, startConsumer } from '../../../local/queues.ts';

describe('Class: LocalQueue with a journal', () => {
  it('keeps unacknowledged messages across a reopen (a killed process), in-flight ones visible at once, deleted ones gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-journal-'));
    try {
      const journal = join(dir, 'q.jsonl');
      const first = new LocalQueue<number>({ name: 'q', journal, visibilityTimeoutMs: 60_000 });
      void first.send([1, 2, 3]);
      const [one, two] = first.receive(2);
      first.delete(one!.messageId, one!.receiptHandle);
      expect(two).toBeDefined();
      const again = new LocalQueue<number>({ name: 'q', journal });
      expect(again.bodies().sort()).toEqual(['2', '3']);
      expect(again.receive(10).map((r) => r.body).sort()).toEqual(['2', '3']);
      // Compacted on open: only the live messages are written back.
      expect(readFileSync(journal, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores a torn last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-journal-'));
    try {
      const journal = join(dir, 'q.jsonl');
      const { appendFileSync } = await import('node:fs');
      void new LocalQueue<number>({ name: 'q', journal }).send([5]);
      appendFileSync(journal, '{"op":"send","id":"x","bo');
      expect(new LocalQueue<number>({ name: 'q', journal }).bodies()).toEqual(['5']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Function: lambdaContext', () => {
  it('counts the remaining time down from the timeout', () => {
    let now = 0;
    const context = lambdaContext('fn', 60_000, () => now);
    expect(context.getRemainingTimeInMillis()).toBe(60_000);
    now = 59_000;
    expect(context.getRemainingTimeInMillis()).toBe(1000);
    now = 70_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });
});

describe('Class: LocalQueue', () => {
  it('hides a received message for the visibility timeout, then redelivers it', () => {
    let now = 1000;
    const queue = new LocalQueue<{ n: number }>({ name: 'q', visibilityTimeoutMs: 100, now: () => now });
    void queue.send([{ n: 1 }]);

    const first = queue.receive(10);
    expect(first).toHaveLength(1);
    expect(queue.receive(10)).toHaveLength(0);
    now += 101;
    const again = queue.receive(10);
    expect(again.map((r) => r.body)).toEqual(['{"n":1}']);
    expect(again[0]!.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('ignores a delete with a stale receipt, like SQS', () => {
    let now = 0;
    const queue = new LocalQueue<number>({ name: 'q', visibilityTimeoutMs: 10, now: () => now });
    void queue.send([1]);
    const stale = queue.receive(1)[0]!;
    now += 11;
    queue.receive(1);
    queue.delete(stale.messageId, stale.receiptHandle);
    expect(queue.depth).toBe(1);
  });

  it('moves a message to the dead-letter queue after maxReceives', () => {
    let now = 0;
    const dlq = new LocalQueue<unknown>({ name: 'dlq' });
    const queue = new LocalQueue<number>({ name: 'q', visibilityTimeoutMs: 1, maxReceives: 2, deadLetterQueue: dlq, now: () => now });
    void queue.send([7]);
    queue.receive(1);
    now += 2;
    queue.receive(1);
    now += 2;
    expect(queue.receive(1)).toEqual([]);
    expect(queue.depth).toBe(0);
    expect(dlq.bodies()).toEqual(['7']);
  });
});

describe('Function: startConsumer', () => {
  it('deletes handled messages, redelivers reported batch item failures and failed invocations', async () => {
    const queue = new LocalQueue<string>({ name: 'q', visibilityTimeoutMs: 5 });
    const seen: string[] = [];
    let failOnce = true;
    let crashOnce = true;
    const consumer = startConsumer(
      queue,
      async (event) => {
        const bodies = event.Records.map((r) => JSON.parse(r.body) as string);
        seen.push(...bodies);
        if (crashOnce && bodies.includes('crash')) {
          crashOnce = false;
          throw new Error('simulated crash');
        }
        const failures = event.Records.filter((r) => failOnce && JSON.parse(r.body) === 'retry').map((r) => ({ itemIdentifier: r.messageId }));
        if (failures.length > 0) failOnce = false;
        return { batchItemFailures: failures };
      },
      { batchSize: 1, pollMs: 1 },
    );
    await queue.send(['ok', 'retry', 'crash']);

    await consumer.drained();
    await consumer.stop();

    expect(seen.filter((b) => b === 'ok')).toHaveLength(1);
    expect(seen.filter((b) => b === 'retry')).toHaveLength(2);
    expect(seen.filter((b) => b === 'crash')).toHaveLength(2);
    expect(consumer.invocations.failed).toBe(1);
    expect(queue.depth).toBe(0);
  });

  it('gathers messages for the batching window before invoking, like MaximumBatchingWindowInSeconds', async () => {
    const queue = new LocalQueue<number>({ name: 'q' });
    const batches: number[] = [];
    const consumer = startConsumer(queue, async (event) => void batches.push(event.Records.length), { batchSize: 10, batchingWindowMs: 60_000, pollMs: 1 });

    // Sent one by one across several polls: without the window the first would go alone.
    for (let i = 0; i < 10; i++) {
      await queue.send([i]);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await consumer.drained();
    await consumer.stop();

    // A full batch ends the window early (the test would time out waiting 60 s otherwise).
    expect(batches).toEqual([10]);
  });
});

describe('Function: drainAll', () => {
  it('waits until work moving from one queue to the next has settled in every queue', async () => {
    // Prepare
    const first = new LocalQueue<number>({ name: 'first' });
    const second = new LocalQueue<number>({ name: 'second' });
    const handled: number[] = [];
    const forward = startConsumer(first, async (event) => void (await second.send(event.Records.map((record) => Number(record.body) * 10))), { pollMs: 1 });
    const sink = startConsumer(second, async (event) => void handled.push(...event.Records.map((record) => Number(record.body))), { pollMs: 1 });
    await first.send([1, 2]);

    // Act
    await drainAll([sink, forward]);
    await Promise.all([forward.stop(), sink.stop()]);

    // Assess
    expect(handled.sort()).toEqual([10, 20]);
    expect([first.depth, second.depth]).toEqual([0, 0]);
  });
});

describe('Function: startConsumer with a function timeout', () => {
  it('fails an invocation that overruns its timeout and leaves its batch to be redelivered, as Lambda does', async () => {
    const queue = new LocalQueue<number>({ name: 'q', visibilityTimeoutMs: 20 });
    const errors: unknown[] = [];
    const remaining: number[] = [];
    let calls = 0;
    const consumer = startConsumer(
      queue,
      async (_event, context) => {
        remaining.push(context.getRemainingTimeInMillis());
        calls++;
        // The first invocation overruns; the redelivered one keeps to its time.
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 200));
      },
      { timeoutMs: 50, pollMs: 1, functionName: 'slow', onInvocationError: (error) => errors.push(error) },
    );
    await queue.send([1]);
    await consumer.drained();
    await consumer.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FunctionTimeoutError);
    expect(consumer.invocations).toMatchObject({ ok: 1, failed: 1, timedOut: 1 });
    expect(remaining[0]).toBeLessThanOrEqual(50);
    expect(remaining[0]).toBeGreaterThan(0);
    expect(calls).toBe(2);
  });
});
