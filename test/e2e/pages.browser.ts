/**
 * The notice page, the diff page and the version-history page in a real browser (Debian chromium, headless), in every
 * language of the latest version: served by the local gateway from the content files the notices
 * Lambda ships (`.build/serving/`), under their own Content-Security-Policy (a stylesheet the
 * policy did not allow would not apply, and the checks on computed styles would fail), readable on
 * a phone without sideways scrolling, with a print stylesheet, and axe-core with no violations.
 * Screenshots go to `.artifacts/screenshots/` (git-ignored).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServedContent } from '../../functions/content/serving-files.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import { startGateway, type Gateway } from '../../local/gateway.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOTS = join(import.meta.dirname, '..', '..', '.artifacts', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const content = loadServedContent();
const notice = content.notices.find((candidate) => candidate.noticeId === 'privacy')!;
const latest = notice.versions.at(-1)!;
const previous = notice.versions.at(-2)!;
// Every language the latest version is written in (ko is covered as soon as the content has it).
const LANGUAGES = latest.languages;

interface AxeResult {
  readonly violations: readonly { id: string; nodes: readonly { target: unknown }[] }[];
  readonly passes: readonly unknown[];
}

describe('Browser: the notice page, the diff page and the version-history page', () => {
  let gateway: Gateway;
  let browser: Browser;
  const pagesUrl = (language: string) => ({
    notice: `/v1/notices/privacy?version=${latest.version}&region=eea&lang=${language}&format=html`,
    diff: `/v1/notices/privacy/diff?from=${previous.version}&to=${latest.version}&region=eea&lang=${language}&format=html`,
    history: `/v1/notices/privacy/versions?region=eea&lang=${language}&format=html`,
  });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const clock = fixedClock(new Date(Date.parse(`${latest.effectiveDate}T00:00:00Z`) + 86_400_000));
    gateway = await startGateway({ handlers: { notices: makeHandler({ content, clock }) } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  /** Opens `path` like a reader would (the browser's own Accept), collecting what the console reports. */
  const open = async (path: string, viewport: { width: number; height: number }, locale: string): Promise<{ page: Page; console: string[]; status: number; csp: string }> => {
    const context = await browser.newContext({ viewport, locale });
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => console.push(`pageerror: ${error.message}`));
    const response = await page.goto(new URL(path, gateway.url).toString());
    return { page, console, status: response?.status() ?? 0, csp: (await response?.headerValue('content-security-policy')) ?? '' };
  };

  /** axe-core, evaluated through the DevTools protocol: the page's CSP forbids every script, as it should. */
  const axe = async (page: Page): Promise<AxeResult> => {
    await page.evaluate(AXE);
    return (await page.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as AxeResult;
  };

  const checkPage = async (kind: 'notice' | 'diff' | 'history', language: string) => {
    const path = pagesUrl(language)[kind];
    for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const { page, console, status, csp } = await open(path, viewport, language === 'en' ? 'en-GB' : language);
      expect(status).toBe(200);
      expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-/);
      expect(await page.locator('html').getAttribute('lang')).toBe(language);
      // The inline stylesheet applied under the policy: system fonts, a measure, no CSP complaint.
      // Page-side code as text: this project's TypeScript has no DOM types.
      const style = (await page.evaluate(`({
        fontFamily: getComputedStyle(document.body).fontFamily,
        mainWidth: document.querySelector('main').getBoundingClientRect().width,
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      })`)) as { fontFamily: string; mainWidth: number; scrollWidth: number; innerWidth: number };
      expect(style.fontFamily).toContain('system-ui');
      expect(style.mainWidth).toBeLessThanOrEqual(42 * 16 + 1);
      expect(style.scrollWidth, `${kind} ${language} scrolls sideways on the ${name}`).toBeLessThanOrEqual(style.innerWidth);
      expect(console.filter((line) => /Content Security Policy|Refused/i.test(line))).toEqual([]);

      const result = await axe(page);
      expect(result.violations.map((violation) => `${violation.id} ${JSON.stringify(violation.nodes.map((node) => node.target))}`)).toEqual([]);
      expect(result.passes.length).toBeGreaterThan(5);
      await page.screenshot({ path: join(SCREENSHOTS, `${kind}-${language}-${name}.png`), fullPage: true });
      if (name === 'desktop') {
        await page.emulateMedia({ media: 'print' });
        expect(await page.evaluate(`getComputedStyle(document.querySelector('.links')).display`)).toBe('none');
        await page.screenshot({ path: join(SCREENSHOTS, `${kind}-${language}-print.png`), fullPage: true });
      }
      await page.context().close();
    }
  };

  it('covers every language of the latest version', () => {
    expect(LANGUAGES).toEqual(expect.arrayContaining(['en', 'ja']));
  });

  describe.each(LANGUAGES)('in %s', (language) => {
    it('the notice page: version, dates, contents, history and diff links, readable on a phone, printable, 0 axe violations', async () => {
      await checkPage('notice', language);
      const { page } = await open(pagesUrl(language).notice, PHONE, language);
      expect(await page.locator('h1').count()).toBe(1);
      expect(await page.locator('.meta dd').first().textContent()).toBe(String(latest.version));
      expect(await page.locator('nav.toc li').count()).toBe(latest.variants[`eea/${language}`]!.sections.length);
      // The table of contents jumps to its section.
      const firstEntry = page.locator('nav.toc a').first();
      const target = (await firstEntry.getAttribute('href'))!;
      await firstEntry.click();
      expect(await page.evaluate('location.hash')).toBe(target);
      // The diff link opens the diff page in the same region and language.
      const diffLink = page.locator(`a[href*="/diff?"]`);
      expect(await diffLink.count()).toBe(1);
      await diffLink.click();
      await page.waitForLoadState();
      expect(new URL(page.url()).searchParams.get('lang')).toBe(language);
      expect(await page.locator('h1').textContent()).toBeTruthy();
      expect(await page.locator('del, ins').count()).toBeGreaterThan(0);
      await page.context().close();
    });

    it('the diff page: changed sections with removed text struck through and added text underlined, the declared change, links to both versions, 0 axe violations', async () => {
      await checkPage('diff', language);
      const { page } = await open(pagesUrl(language).diff, DESKTOP, language);
      const marks = (await page.evaluate(`({
        del: Array.from(document.querySelectorAll('del'), (element) => getComputedStyle(element).textDecorationLine),
        ins: Array.from(document.querySelectorAll('ins'), (element) => getComputedStyle(element).textDecorationLine),
      })`)) as { del: string[]; ins: string[] };
      expect(marks.del.length).toBeGreaterThan(0);
      expect(marks.ins.length).toBeGreaterThan(0);
      // Not by colour alone: a line through what was removed, a line under what was added.
      expect(new Set(marks.del)).toEqual(new Set(['line-through']));
      expect(new Set(marks.ins)).toEqual(new Set(['underline']));
      expect(await page.locator('section[data-status="changed"] .declared').count()).toBeGreaterThan(0);
      // Both versions open as pages.
      const versionLinks = await Promise.all((await page.locator('header .links a').all()).map(async (link) => new URL((await link.getAttribute('href'))!, gateway.url).toString()));
      expect(versionLinks).toHaveLength(2);
      for (const href of versionLinks) {
        const response = await fetch(href);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      }
      await page.context().close();
    });

    it('the version-history page: every version with its date, status and declared changes, links to each version and diff, 0 axe violations', async () => {
      await checkPage('history', language);
      const { page } = await open(pagesUrl(language).notice, DESKTOP, language);
      // The notice page's "version history" link opens it, in the same region and language.
      await page.locator('a[href*="/versions?"]').click();
      await page.waitForLoadState();
      const opened = new URL(page.url());
      expect(opened.pathname).toBe('/v1/notices/privacy/versions');
      expect(opened.searchParams.get('lang')).toBe(language);
      expect(await page.locator('html').getAttribute('lang')).toBe(language);
      expect(await page.locator('h1').count()).toBe(1);
      // Newest first; the clock is a day after the latest version took effect.
      const statuses = await page.locator('section[data-status]').evaluateAll((sections) => sections.map((section) => [section.id, section.getAttribute('data-status')]));
      expect(statuses).toEqual(
        [...notice.versions].reverse().map((version) => [`version-${version.version}`, version === latest ? 'in-force' : 'superseded']),
      );
      expect(await page.locator(`#version-${latest.version} time`).getAttribute('datetime')).toBe(latest.effectiveDate);
      expect(await page.locator(`#version-${latest.version} .declared li`).count()).toBeGreaterThan(0);
      // Every link opens a page: each version's notice page and the diff between consecutive versions.
      const links = await Promise.all((await page.locator('section .links a').all()).map(async (link) => new URL((await link.getAttribute('href'))!, gateway.url).toString()));
      expect(links.filter((href) => href.includes('/diff?'))).toHaveLength(notice.versions.length - 1);
      expect(links.filter((href) => !href.includes('/diff?'))).toHaveLength(notice.versions.length);
      for (const href of links) {
        const response = await fetch(href);
        expect(response.status, href).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      }
      // The diff link of the latest version opens its diff page.
      await page.locator(`#version-${latest.version} a[href*="/diff?"]`).click();
      await page.waitForLoadState();
      expect(new URL(page.url()).searchParams.get('from')).toBe(String(previous.version));
      expect(await page.locator('del, ins').count()).toBeGreaterThan(0);
      await page.context().close();
    });
  });
});
