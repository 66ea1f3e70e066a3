import { describe, expect, it } from 'vitest';
import { lazyEntry } from '../../functions/lambda-entry.ts';

describe('Function: lazyEntry', () => {
  it('builds the dependencies on the first invocation only, then reuses them', async () => {
    // Prepare
    let builds = 0;
    const handler = lazyEntry(
      async () => ({ id: ++builds }),
      (deps) => async (event: string) => `${event}:${deps.id}`,
    );

    // Act
    const answers = await Promise.all([handler('a'), handler('b')]);
    const later = await handler('c');

    // Assess
    expect(builds).toBe(1);
    expect(answers).toEqual(['a:1', 'b:1']);
    expect(later).toBe('c:1');
  });

  it('never builds at import, and tries again after a failed build', async () => {
    // Prepare
    let attempts = 0;
    const handler = lazyEntry(
      () => {
        attempts++;
        if (attempts === 1) throw new Error('TABLE_NAME is not set');
        return { attempts };
      },
      (deps) => async () => deps.attempts,
    );
    expect(attempts).toBe(0);

    // Act / Assess
    await expect(handler()).rejects.toThrow('TABLE_NAME is not set');
    await expect(handler()).resolves.toBe(2);
    await expect(handler()).resolves.toBe(2);
  });
});
