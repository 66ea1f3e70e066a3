/**
 * One account's whole record: accepted v1, was emailed the v2 change notice, bounced once (SES's mailbox-simulator bounce address), chose,
 * then accepted v2. The evidence route lists every item once in time order; the CLI report
 * (`evidence --format html`) renders it, and passes axe-core with no violations in chromium.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvidence } from '../../bin/commands/evidence.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { eventTime, type AccountEvidence } from '../../functions/ledger/types.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ACCOUNT = 'acct-e2e-record';
const REPORT = '/tmp/disclosure-evidence-report.html';

describe('Browser: the evidence record of one account', () => {
  let platform: Platform;
  let browser: Browser;
  const clock = fixedClock('2026-12-01T09:00:00.000Z');

  const api = async (method: string, path: string, body?: unknown) => {
    const token = await platform.sign({ sub: 'e2e-admin', scope: 'disclosure/admin' });
    const response = await fetch(new URL(path, platform.url), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };
  const variant = async (version: number) => {
    const notice = (await (await fetch(`${platform.url}/v1/notices/privacy?country=DE&lang=en&version=${version}`)).json()) as Record<string, unknown>;
    return { noticeId: 'privacy', version, region: notice['region'], language: notice['language'], contentHash: notice['contentHash'] };
  };

  beforeAll(async () => {
    platform = await startPlatform({ port: 0, sesPort: 0, quiet: true, clock });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

    // 1. accepts v1 (EEA, English) with an address
    expect((await api('POST', `/v1/accounts/${ACCOUNT}/acceptances`, { ...(await variant(1)), email: 'bounce@simulator.amazonses.com' })).status).toBe(201);
    clock.advance(60_000);
    // 2. is emailed the v2 change notice (a choice: v2 lowers protection in the EEA)
    expect((await api('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: false })).status).toBe(202);
    await (platform.env.shared.get('campaigns:workers') as { drain(): Promise<void> }).drain();
    // 3. bounces once: the address is SES's mailbox simulator, which the local endpoint answers as SES
    //    does (Send, then a Permanent/General Bounce), recorded through the SES-events pipeline.
    clock.advance(60_000);
    await (platform.env.shared.get('campaigns:workers') as { drain(): Promise<void> }).drain();
    clock.advance(60_000);
    // 4. chooses on the page linked from the email
    const emails = (await (await fetch(`${platform.sesEndpoint}/store`)).json()) as { emails: { body: { html?: string } }[] };
    const link = emails.emails.flatMap((email) => [...(email.body.html ?? '').matchAll(/href="([^"]*\/choices\/[^"?]+)"/g)].map((m) => m[1]!))[0]!;
    const chosen = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: 'option=keep-previous' });
    expect(chosen.status).toBe(200);
    clock.advance(60_000);
    // 5. accepts v2
    expect((await api('POST', `/v1/accounts/${ACCOUNT}/acceptances`, await variant(2))).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('the evidence route lists every item once, in time order', async () => {
    const { status, json } = await api('GET', `/v1/accounts/${ACCOUNT}/evidence?noticeId=privacy`);
    expect(status).toBe(200);
    const items = json['items'] as AccountEvidence[];
    const times = items.map(eventTime);
    expect(times).toEqual([...times].sort());
    const labels = items.map((item) => (item.kind === 'notification' ? `notification:${item.event}` : item.kind === 'acceptance' ? `acceptance:v${item.version}` : item.kind === 'contact' ? `contact:${item.event}` : item.kind));
    expect(new Set(labels.map((label, i) => `${label}@${times[i]}`)).size).toBe(items.length);
    for (const expected of ['acceptance:v1', 'contact:set', 'notification:sent', 'notification:bounced', 'choice', 'acceptance:v2']) {
      expect(labels.filter((label) => label === expected)).toHaveLength(1);
    }
    expect(labels.indexOf('acceptance:v1')).toBeLessThan(labels.indexOf('notification:sent'));
    expect(labels.indexOf('notification:sent')).toBeLessThan(labels.indexOf('notification:bounced'));
    expect(labels.indexOf('notification:bounced')).toBeLessThan(labels.indexOf('choice'));
    expect(labels.indexOf('choice')).toBeLessThan(labels.indexOf('acceptance:v2'));
    expect(JSON.stringify(items)).not.toContain('customers.example');
  });

  it('the CLI report shows each accepted text in full with its hash and passes axe-core with no violations', async () => {
    let html = '';
    let err = '';
    const code = await runEvidence(
      { account: ACCOUNT, notice: 'privacy', format: 'html', endpoint: platform.dynamoEndpoint, table: platform.env.tableName },
      { stdout: (text) => { html += text; }, stderr: (text) => { err += text; } },
    );
    expect(code, err).toBe(0);
    writeFileSync(REPORT, html);
    const v1 = await variant(1);
    const v2 = await variant(2);
    for (const hash of [v1.contentHash, v2.contentHash]) expect(html).toContain(`Content hash <code>${String(hash)}</code>: <span>matches the published text</span>`);
    expect(html).toContain('children under 16');
    expect(html).not.toContain('customers.example');

    const page = await browser.newPage();
    await page.setContent(html);
    await page.addScriptTag({ content: AXE });
    const result = (await page.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as { violations: { id: string }[]; passes: unknown[] };
    expect(result.violations.map((violation) => violation.id)).toEqual([]);
    expect(result.passes.length).toBeGreaterThan(5);
    await page.screenshot({ path: '/tmp/disclosure-evidence-report.png', fullPage: true });
    await page.close();
  });
});
