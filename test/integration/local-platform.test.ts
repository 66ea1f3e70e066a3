import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledContent } from '../../functions/content/artifact.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';

// Version 1 of the sample is in force on this date, version 2 (effective 2027-02-01) is not yet.
const clock = fixedClock('2026-06-01T12:00:00.000Z');

const expectedHash = (version: number, region: string, language: string): string => {
  const notice = compiledContent.notices.find((candidate) => candidate.noticeId === 'privacy')!;
  return notice.versions.find((candidate) => candidate.version === version)!.variants[`${region}/${language}`]!.contentHash;
};

interface NoticeBody {
  noticeId: string;
  version: number;
  region: string;
  language: string;
  contentHash: string;
}

describe('Local platform', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ port: 0, sesPort: 0, quiet: true, clock, dynamoEngine: process.env['DYNAMO_ENGINE'] === 'dynamodb-local' ? 'dynamodb-local' : 'dynalite' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const getNotice = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${platform.url}/v1/notices/privacy${query}`, { headers });
    return { response, body: (await response.json()) as NoticeBody };
  };

  it('wires the notices Lambda, fails no wiring module, and listens on a random local port', () => {
    expect(platform.status.notices).toBe('wired');
    for (const [name, status] of Object.entries(platform.status)) expect(`${name}: ${status}`).toMatch(/: (wired|not wired yet)$/);
    expect(platform.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(platform.port).toBeGreaterThan(0);
  });

  it.each<{ label: string; query: string; headers: Record<string, string>; region: string; language: string }>([
    { label: 'country=DE', query: '?country=DE', headers: {}, region: 'eea', language: 'en' },
    // No Accept-Language: the region's default language from the catalogue.
    { label: 'country=JP', query: '?country=JP', headers: {}, region: 'jp', language: 'ja' },
    { label: 'CloudFront-Viewer-Country: KR', query: '', headers: { 'CloudFront-Viewer-Country': 'KR' }, region: 'kr', language: 'ko' },
    { label: 'Accept-Language: ja-JP,en;q=0.5', query: '', headers: { 'Accept-Language': 'ja-JP,en;q=0.5' }, region: 'global', language: 'ja' },
  ])('serves the $region/$language variant for $label', async ({ query, headers, region, language }) => {
    const { response, body } = await getNotice(query, headers);

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ noticeId: 'privacy', version: 1, region, language, contentHash: expectedHash(1, region, language) });
    expect(response.headers.get('x-notice-region')).toBe(region);
    expect(response.headers.get('content-language')).toBe(language);
    expect(response.headers.get('etag')).toContain(body.contentHash);
  });

  it('follows the injected clock: version 2 becomes latest once its effective date has passed', async () => {
    clock.set('2027-02-02T00:00:00.000Z');
    try {
      const { response, body } = await getNotice('?country=DE');

      expect(response.status).toBe(200);
      expect(body).toMatchObject({ version: 2, region: 'eea', contentHash: expectedHash(2, 'eea', 'en') });
    } finally {
      clock.set('2026-06-01T12:00:00.000Z');
    }
  });

  it('answers a malformed country with a 400 problem through the gateway', async () => {
    const response = await fetch(`${platform.url}/v1/notices/privacy?country=Deutschland`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('emulates the JWT authoriser: account routes refuse a request without a token and pass a signed one through', async () => {
    const path = `${platform.url}/v1/accounts/acct-1/notices/privacy/status`;
    const token = await platform.sign({ sub: 'acct-1' });

    const anonymous = await fetch(path);
    const signed = await fetch(path, { headers: { authorization: `Bearer ${token}` } });

    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    // 503 until the accounts Lambda is wired, its own answer after: never the gateway's 401.
    expect(signed.status).toBe(platform.status.accounts === 'wired' ? 200 : 503);
  });
});
