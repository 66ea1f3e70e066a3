/** The local platform's port opens only once every Lambda is wired: no request ever sees "not wired". */
import { createServer, type AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { startPlatform } from '../../local/platform.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

it('refuses connections while starting, then answers every route it wired (never 503)', async () => {
  const port = await freePort();
  const seen: string[] = [];
  let starting = true;
  const poll = (async () => {
    while (starting) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/choices/not-a-token`);
        seen.push(String(response.status));
        await response.arrayBuffer();
      } catch {
        seen.push('refused');
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const platform = await startPlatform({ port, sesPort: 0, quiet: true });
  starting = false;
  await poll;
  try {
    const after = await fetch(`${platform.url}/choices/not-a-token`);
    expect(platform.status.choices).toBe('wired');
    expect(after.status).not.toBe(503);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((status) => status === '503')).toEqual([]);
    expect(seen).toContain('refused');
  } finally {
    await platform.stop();
  }
});
