/**
 * The HTML pages of the notices API over the wire (local gateway, real notices handler): the notice
 * page and the diff page carry the Content-Security-Policy that allows their inline stylesheet by
 * hash and nothing else, `nosniff` and both framing protections; the diff negotiates HTML for
 * browsers and keeps JSON for services.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledContent } from '../../../functions/content/artifact.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { makeHandler } from '../../../functions/lambdas/notices.ts';
import { startGateway, type Gateway } from '../../../local/gateway.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('HTML pages at the local gateway', () => {
  let gateway: Gateway;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(new URL(path, gateway.url), { method, headers });
  beforeAll(async () => {
    gateway = await startGateway({ handlers: { notices: makeHandler({ content: compiledContent, clock: fixedClock('2027-03-01T00:00:00Z') }) } });
  });
  afterAll(() => gateway.close());

  const expectSecured = async (response: Response, withBody = true) => {
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; /);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/script-src|unsafe/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    if (response.status !== 200 || !withBody) return;
    // The one inline stylesheet is exactly what the policy's hash allows.
    const body = await response.text();
    const styles = [...body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]!);
    expect(styles).toHaveLength(1);
    expect(policy).toContain(`'sha256-${createHash('sha256').update(styles[0]!).digest('base64')}'`);
    expect(body).not.toMatch(/<script|<link|src=/i);
  };

  it.each([
    ['/v1/notices/privacy?format=html', {}],
    ['/v1/notices/privacy?lang=ja', { accept: BROWSER_ACCEPT }],
    ['/v1/notices/privacy/diff?from=1&to=2&format=html', {}],
    ['/v1/notices/privacy/diff?from=1&to=2&region=eea&lang=ja', { accept: BROWSER_ACCEPT }],
  ])('secures %s', async (path, headers) => {
    const response = await get(path, headers);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    await expectSecured(response);
  });

  it('secures HEAD and 304 answers to the pages as well', async () => {
    const head = await get('/v1/notices/privacy/diff?from=1&to=2&format=html', {}, 'HEAD');
    expect(head.status).toBe(200);
    await expectSecured(head, false);
    const etag = head.headers.get('etag')!;
    const notModified = await get('/v1/notices/privacy/diff?from=1&to=2&format=html', { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    await expectSecured(notModified);
  });

  it('keeps the diff JSON for services: no Accept, application/json, or anything not preferring HTML', async () => {
    const services: Record<string, string>[] = [{}, { accept: 'application/json' }, { accept: '*/*' }, { accept: 'application/json, text/html;q=0.5' }, { accept: 'text/markdown' }];
    for (const headers of services) {
      const response = await get('/v1/notices/privacy/diff?from=1&to=2&region=eea', headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await response.json()) as { sections: unknown[] }).toHaveProperty('sections');
    }
  });

  it('marks removed and added text in the diff page, with words a screen reader says', async () => {
    const body = await (await get('/v1/notices/privacy/diff?from=1&to=2&region=eea&lang=en&format=html')).text();
    expect(body).toMatch(/<del><span class="vh">removed: <\/span>[^<]*13/);
    expect(body).toMatch(/<ins><span class="vh">added: <\/span>[^<]*36/);
    expect(body).toContain('It lowers the protection of your information.');
    expect(body).toContain('href="/v1/notices/privacy?version=1&amp;region=eea&amp;lang=en&amp;format=html"');
    expect(body).toContain('href="/v1/notices/privacy?version=2&amp;region=eea&amp;lang=en&amp;format=html"');
  });

  it('refuses a diff page whose versions are reversed or a format it does not have, as problem+json', async () => {
    const reversed = await get('/v1/notices/privacy/diff?from=2&to=1&format=html');
    expect(reversed.status).toBe(400);
    expect(reversed.headers.get('content-type')).toBe('application/problem+json');
    const markdown = await get('/v1/notices/privacy/diff?from=1&to=2&format=md');
    expect(markdown.status).toBe(400);
    expect(markdown.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers ?at= and ?subdivision= over the wire: past, future, before the first version, malformed', async () => {
    const version = async (query: string) => ((await (await get(`/v1/notices/privacy?${query}`)).json()) as { version: number }).version;
    expect(await version('at=2026-06-01T12:00:00Z')).toBe(1);
    expect(await version('at=2030-01-01')).toBe(2);
    const before = await get('/v1/notices/privacy?at=2000-01-01T00:00:00Z');
    expect(before.status).toBe(404);
    expect(before.headers.get('content-type')).toBe('application/problem+json');
    const malformed = await get('/v1/notices/privacy/versions?at=tomorrow');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    const quebec = await get('/v1/notices/privacy?subdivision=CA-QC', { 'cloudfront-viewer-country': 'JP' });
    expect(quebec.headers.get('x-notice-region')).toBe('ca');
  });

  it('does not put the page policy on JSON', async () => {
    const response = await get('/v1/notices/privacy');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBeNull();
  });
});
