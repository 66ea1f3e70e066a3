import { describe, expect, it } from 'vitest';
import { instantTimers } from '../../../functions/core/clock.ts';
import { DynamoDbLocalExitedError, DynamoDbLocalTimeoutError, localClientConfig, waitUntilAnswering } from '../../../local/dynamo-engine.ts';

/** A probe that fails `failures` times, then answers. */
const probeFailing = (failures: number) => {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    probe: async () => {
      calls++;
      if (calls <= failures) throw new Error(`not yet (${calls})`);
    },
  };
};

describe('Function: waitUntilAnswering', () => {
  it('probes again after a jittered wait of at most 200 ms until the engine answers', async () => {
    // Prepare
    const engine = probeFailing(3);
    const timers = instantTimers(() => 0.5);

    // Act
    await waitUntilAnswering(engine.probe, () => null, { timeoutMs: 60_000, timers });

    // Assess
    expect(engine.calls).toBe(4);
    expect(timers.slept).toEqual([100, 100, 100]);
  });

  it('fails at once when the engine process has exited', async () => {
    // Prepare
    const engine = probeFailing(1);
    let exitCode: number | null = null;
    const timers = instantTimers();
    const probe = async () => {
      exitCode = 1;
      await engine.probe();
    };

    // Act
    const waiting = waitUntilAnswering(probe, () => exitCode, { timeoutMs: 60_000, timers });

    // Assess
    await expect(waiting).rejects.toThrow(DynamoDbLocalExitedError);
    await expect(waiting).rejects.toThrow('DynamoDB Local exited with code 1');
    expect(engine.calls).toBe(1);
  });

  it('gives up at the deadline with the last probe failure as the cause', async () => {
    // Prepare
    let now = 0;
    const timers = instantTimers();
    const probe = async () => {
      now += 400;
      throw new Error('connection refused');
    };

    // Act
    const waiting = waitUntilAnswering(probe, () => null, { timeoutMs: 1_000, timers, now: () => now });

    // Assess
    const error = await waiting.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DynamoDbLocalTimeoutError);
    expect((error as DynamoDbLocalTimeoutError).message).toBe('DynamoDB Local did not answer in time');
    expect((error as DynamoDbLocalTimeoutError).cause).toEqual(new Error('connection refused'));
    expect(timers.slept).toHaveLength(2);
  });
});

describe('Function: localClientConfig', () => {
  it('points the SDK at the engine with static credentials and a fixed region', () => {
    expect(localClientConfig('http://127.0.0.1:8000')).toEqual({
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
});
