import { afterEach, describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../functions/content/artifact.ts';
import type { CompiledNotice } from '../../functions/core/content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { startGateway, type Gateway } from '../../local/gateway.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';

// A date while the sample's first version is in force, whatever today is.
const notice = content.notices.find((candidate) => candidate.noticeId === 'privacy') as CompiledNotice;
const NOW = new Date(Date.parse(`${notice.versions[0]!.effectiveDate}T00:00:00.000Z`) + 10 * 86_400_000);

const FIREFOX = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-language': 'de-DE,de;q=0.8,en-US;q=0.5,en;q=0.3',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'upgrade-insecure-requests': '1',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
  'sec-fetch-user': '?1',
  priority: 'u=0, i',
};

/** The notices handler behind the local gateway, counting the requests that miss its memo. */
const servedThroughGateway = async (): Promise<{ gateway: Gateway; misses: string[] }> => {
  const misses: string[] = [];
  const clock = fixedClock(NOW);
  const notices = makeHandler({ content, clock, onMemoMiss: (routeKey) => misses.push(routeKey) });
  return { gateway: await startGateway({ handlers: { notices }, clock }), misses };
};

describe('Notices handler behind the local gateway', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('answers a repeated browser request from the memo, whatever its cookies, user agent and forwarding headers', async () => {
    // Prepare
    const served = await servedThroughGateway();
    gateway = served.gateway;
    const url = `${gateway.url}/v1/notices/privacy?country=DE`;

    // Act
    const first = await fetch(url, { headers: { ...FIREFOX, cookie: 'session=a1; theme=dark' } });
    const firstBody = await first.text();
    const second = await fetch(url, {
      headers: { ...FIREFOX, cookie: 'session=b2', 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15', 'x-forwarded-for': '203.0.113.9' },
    });
    const secondBody = await second.text();

    // Assess
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(second.status).toBe(200);
    expect(secondBody).toBe(firstBody);
    expect(served.misses).toEqual(['GET /v1/notices/{noticeId}']);
  });

  it('answers repeated curl requests from the memo', async () => {
    // Prepare
    const served = await servedThroughGateway();
    gateway = served.gateway;
    const headers = { accept: '*/*', 'user-agent': 'curl/8.5.0' };

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${gateway.url}/v1/notices/privacy?country=JP`, { headers });
      await response.arrayBuffer();
      statuses.push(response.status);
    }

    // Assess
    expect(statuses).toEqual([200, 200, 200]);
    expect(served.misses).toHaveLength(1);
  });

  it('resolves again when an input that selects the variant changes', async () => {
    // Prepare
    const served = await servedThroughGateway();
    gateway = served.gateway;
    const url = `${gateway.url}/v1/notices/privacy?country=DE`;

    // Act
    await (await fetch(url, { headers: FIREFOX })).arrayBuffer();
    await (await fetch(url, { headers: { ...FIREFOX, 'accept-language': 'ja' } })).arrayBuffer();

    // Assess
    expect(served.misses).toHaveLength(2);
  });
});
