/**
 * The customer's path in a real browser (Debian chromium, headless): the link from an email in
 * the local SES store, the choice page in the recipient's language, the choice, the confirmation,
 * and the status route reflecting it.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SCREENSHOT_PAGE = '/tmp/disclosure-choice-page.png';
const SCREENSHOT = '/tmp/disclosure-choice-confirmation.png';

describe('Browser: the choice link from the email', () => {
  let platform: Platform;
  let browser: Browser;
  const clock = fixedClock('2026-12-01T09:00:00.000Z');

  const api = async (method: string, path: string, as: 'service' | 'admin', body?: unknown) => {
    const token = await platform.sign({ sub: `e2e-${as}`, scope: `disclosure/${as}` });
    const response = await fetch(new URL(path, platform.url), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };

  const accept = async (accountId: string, country: string, acceptLanguage: string) => {
    const notice = (await (await fetch(`${platform.url}/v1/notices/privacy?country=${country}`, { headers: { 'accept-language': acceptLanguage } })).json()) as Record<string, unknown>;
    const { status } = await api('POST', `/v1/accounts/${accountId}/acceptances`, 'service', {
      noticeId: 'privacy',
      version: notice['version'],
      region: notice['region'],
      language: notice['language'],
      contentHash: notice['contentHash'],
      email: `${accountId}@customers.example`,
    });
    expect(status).toBe(201);
  };

  /** The choice link the email for `accountId` carries (the token's payload names its account). */
  const linkFor = async (accountId: string): Promise<string> => {
    const store = (await (await fetch(`${platform.sesEndpoint}/store`)).json()) as { emails: { body: { html?: string } }[] };
    for (const email of store.emails) {
      for (const [, url] of (email.body.html ?? '').matchAll(/href="([^"]*\/choices\/[^"?]+)"/g)) {
        const payload = new URL(url!).pathname.split('/').pop()!.split('.')[1]!;
        if ((JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { a: string }).a === accountId) return url!;
      }
    }
    throw new Error(`no email with a choice link for ${accountId}`);
  };

  beforeAll(async () => {
    platform = await startPlatform({ port: 0, sesPort: 0, quiet: true, clock });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    await accept('acct-e2e-tokyo', 'JP', 'ja-JP,ja;q=0.9');
    await accept('acct-e2e-paris', 'FR', 'fr-FR,en;q=0.5');
    const started = await api('POST', '/v1/campaigns', 'admin', { noticeId: 'privacy', version: 2, dryRun: false });
    expect(started.status).toBe(202);
    await (platform.env.shared.get('campaigns:workers') as { drain(): Promise<void> }).drain();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('a jp customer sees the page in Japanese, chooses, sees the confirmation, and the status reflects it', async () => {
    // Prepare
    const link = await linkFor('acct-e2e-tokyo');
    const page = await browser.newPage({ locale: 'en-US' });

    // Act: open the link (as a mail scanner would, too) — nothing may be recorded
    const opened = await page.goto(`${link}?option=keep-previous`);
    const pending = await api('GET', '/v1/accounts/acct-e2e-tokyo/notices/privacy/status', 'service');

    // Assess the page: Japanese from the recipient's record, not from the browser's English
    expect(opened?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.locator('h1').textContent()).toBe('保有済みの情報の取り扱いについてのご選択');
    expect(await page.getByLabel('保有済みの情報には従前の条件を適用する').isChecked()).toBe(true);
    expect(await page.locator('input[type=radio]').count()).toBe(3);
    expect(pending.json['pendingChoice']).toMatchObject({ campaignId: 'privacy-v2', version: 2 });
    expect(pending.json['choice'] ?? null).toBeNull();
    await page.screenshot({ path: SCREENSHOT_PAGE, fullPage: true });

    // Act: change the preselection to "delete" and confirm
    await page.getByLabel('保有済みの情報を削除する').check();
    const [posted] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'この内容で選択する' }).click(),
    ]);
    await page.waitForLoadState();
    expect(posted.status()).toBe(200);

    // Assess the confirmation and the status
    expect(await page.locator('h1').textContent()).toBe('ご選択を受け付けました');
    expect(await page.getByRole('status').textContent()).toContain('保有済みの情報を削除する');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const status = await api('GET', '/v1/accounts/acct-e2e-tokyo/notices/privacy/status', 'service');
    expect(status.json['choice']).toMatchObject({ option: 'delete', defaulted: false, version: 2 });
    expect(status.json['pendingChoice'] ?? null).toBeNull();
    expect(status.json['governs']).toEqual([{ version: 2, forDataCollected: { from: '2027-02-01' } }]);
    await page.close();
  });

  it('an EEA customer gets the page in English, and a tampered link shows a friendly error page', async () => {
    const link = await linkFor('acct-e2e-paris');
    const page = await browser.newPage({ locale: 'ja-JP' });

    await page.goto(link);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Your choice about information we already hold');

    const tampered = `${link.slice(0, -3)}${link.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const response = await page.goto(tampered);
    expect(response?.status()).toBe(403);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.getByRole('alert').textContent()).toContain('リンク');
    await page.close();
  });
});
