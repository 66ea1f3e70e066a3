/**
 * The email and the choice pages render from the compiled templates alone: bundled as a Lambda
 * would be and run from a directory with no `templates/` folder anywhere above it, they still
 * produce the email and the page (a run-time file read would throw `TemplateMissingError`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

// Renders one choice email and one choice page and one error page, and prints them as JSON.
const ENTRY = `
import { renderCampaignEmail } from './functions/campaigns/email.ts';
import { renderChoicePage, renderErrorPage } from './functions/campaigns/choice-pages.ts';
import { contentIndex } from './functions/content/index-artifact.ts';
const deadline = '2027-02-01T00:00:00.000Z';
const email = renderCampaignEmail({ content: contentIndex, noticeId: 'privacy', version: 2, region: 'eea', language: 'ja', kind: 'choice', deadline, publicBaseUrl: 'https://privacy.example.com' });
const campaign = { campaignId: 'privacy-v2', noticeId: 'privacy', version: 2, deadline, regions: [], createdAt: '2026-12-01T00:00:00.000Z', status: 'started' };
const view = { claims: { campaignId: 'privacy-v2', accountId: 'acct-1', expiresAt: deadline }, campaign, region: 'eea', language: 'en', options: ['accept', 'keep-previous', 'delete'] };
const choicePage = renderChoicePage(contentIndex, view, 'delete');
const errorPage = renderErrorPage(404, ['ja']);
process.stdout.write(JSON.stringify({ email, choicePage, errorPage }));
`;

let workDir: string;
let bundleFile: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'disclosure-no-templates-'));
  bundleFile = join(workDir, 'index.mjs');
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: REPO_ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  writeFileSync(bundleFile, result.outputFiles[0]!.contents);
}, 30_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('Compiled templates', () => {
  it('render an email and the choice pages with no templates/ folder to read', () => {
    // Act
    const run = spawnSync(process.execPath, [bundleFile], { cwd: workDir, encoding: 'utf8' });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { email, choicePage, errorPage } = JSON.parse(run.stdout) as Record<string, { subject?: string; html: string; text?: string; language?: string }>;
    expect(email!.subject).toContain('2027年2月1日');
    expect(email!.html).toMatch(/^<!doctype html>\n<html lang="ja"/);
    expect(email!.html).toContain('href="{{acceptUrl}}"');
    expect(email!.text).toContain('{{deleteUrl}}');
    expect(choicePage!.language).toBe('en');
    expect(choicePage!.html).toContain('<html lang="en"');
    expect(choicePage!.html).toMatch(/value="delete"[^>]*checked/);
    expect(errorPage!.language).toBe('ja');
    expect(errorPage!.html).toContain('<html lang="ja"');
  });
});
