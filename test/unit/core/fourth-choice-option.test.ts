/**
 * Adding an option is its definition row plus its words per language. This test adds a fourth
 * row to the real table (a test-only copy of `choice-options.ts`) and its words to the compiled
 * templates, and follows it through the schemas, the counters, governance, the email and the page:
 * a consumer with a list of its own would miss it.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../functions/core/choice-options.ts', async () => {
  const { readFileSync: read, writeFileSync: write, mkdtempSync: tempDir, rmSync: remove } = await import('node:fs');
  const { tmpdir: tmp } = await import('node:os');
  const { join: joinPath } = await import('node:path');
  const source = read(new URL('../../../functions/core/choice-options.ts', import.meta.url), 'utf8');
  const end = '] as const satisfies readonly ChoiceOptionDefinition[];';
  if (!source.includes(end)) throw new Error(`choice-options.ts no longer ends its table with "${end}": update this test`);
  const row = "  { id: 'export-then-delete', field: 'exportThenDelete', counter: 'choice_export_then_delete', previousData: 'deleted' },\n";
  const dir = tempDir(joinPath(tmp(), 'disclosure-options-'));
  const file = joinPath(dir, 'choice-options.ts');
  write(file, source.replace(end, `${row}${end}`));
  const withFourth: unknown = await import(file);
  remove(dir, { recursive: true, force: true });
  return withFourth;
});

vi.mock('../../../functions/content/templates-artifact.ts', async (importOriginal) => {
  const { compiledTemplates } = await importOriginal<typeof import('../../../functions/content/templates-artifact.ts')>();
  const data = structuredClone(compiledTemplates.data) as Record<string, { options: Record<string, object> }>;
  const words = {
    en: { label: 'Send me a copy, then delete it', description: 'We send you what we hold from before {{effectiveDate}}, then delete it.' },
    ja: { label: '写しを受け取ってから削除する', description: '{{effectiveDate}}より前の情報の写しをお送りしてから削除します。' },
  };
  for (const language of ['en', 'ja'] as const) {
    data[`emails/${language}/strings.yaml`]!.options['export-then-delete'] = words[language];
    data[`pages/${language}/strings.yaml`]!.options['export-then-delete'] = words[language];
  }
  return { compiledTemplates: { ...compiledTemplates, data } };
});

const { CHOICE_OPTION_IDS, optionLinks } = await import('../../../functions/core/choice-options.ts');
const { changeSchema } = await import('../../../compiler/schemas.ts');
const { DEFAULT_CHOICES } = await import('../../../compiler/validate.ts');
const { buildOpenApiDocument } = await import('../../../compiler/openapi.ts');
const { choiceRequestSchema } = await import('../../../functions/http/schemas/choices.ts');
const { planAudience } = await import('../../../functions/core/audience.ts');
const { governance } = await import('../../../functions/core/governance.ts');
const { counterDeltas, parseOption } = await import('../../../functions/campaigns/choices.ts');
const { COUNTER_NAMES } = await import('../../../functions/campaigns/model.ts');
const { RECIPIENT_PLACEHOLDERS, renderCampaignEmail } = await import('../../../functions/campaigns/email.ts');
const { renderChoicePage, renderConfirmationPage } = await import('../../../functions/campaigns/choice-pages.ts');
const { contentIndex } = await import('../../../functions/content/index-artifact.ts');

const FOURTH = 'export-then-delete' as (typeof CHOICE_OPTION_IDS)[number];
const deadline = '2027-02-01T00:00:00.000Z';

/** The sample content with the eea change offering the options by default (no `choices:` of its own). */
const content = (() => {
  const copy = structuredClone(contentIndex);
  for (const version of copy.notices[0]!.versions) {
    for (const change of version.changes) if (change.region === 'eea') delete (change as { choices?: unknown }).choices;
  }
  return copy;
})();

describe('A fourth option, defined by one row and its words', () => {
  it('is an option everywhere an option is parsed: content, the build default, the HTTP API', () => {
    expect(CHOICE_OPTION_IDS).toEqual(['accept', 'keep-previous', 'delete', FOURTH]);
    expect(DEFAULT_CHOICES).toContain(FOURTH);
    expect(changeSchema.shape.choices.safeParse([FOURTH]).success).toBe(true);
    expect(choiceRequestSchema.safeParse({ option: FOURTH }).success).toBe(true);
    expect(parseOption(FOURTH)).toBe(FOURTH);
    expect(JSON.stringify(buildOpenApiDocument())).toContain(`"keep-previous","delete","${FOURTH}"`);
  });

  it('is offered by the audience rules, counted, reported in progress, and governs by its previousData', () => {
    expect(planAudience(content, 'privacy', 2).regions.find((plan) => plan.region === 'eea')?.options).toContain(FOURTH);
    expect(COUNTER_NAMES).toContain('choice_export_then_delete');
    expect(counterDeltas(FOURTH, 'accept')).toEqual({ choice_export_then_delete: 1, choice_accept: -1 });
    expect(JSON.stringify(buildOpenApiDocument())).toContain('"exportThenDelete"');
    const state = { acceptedVersion: 1, choice: { campaignId: 'privacy-v2', version: 2, option: FOURTH, at: '2027-01-05T10:00:00.000Z', defaulted: false } };
    expect(governance(state, content.notices[0]!, new Date('2027-01-10T00:00:00Z')).governs).toEqual([{ version: 2, forDataCollected: { from: '2027-02-01' } }]);
  });

  it('gets its link in the email (HTML and text, en and ja) and in the links the sender fills (optionLinks)', () => {
    expect(RECIPIENT_PLACEHOLDERS).toContain('exportThenDeleteUrl');
    expect(optionLinks('https://x.example/choices/t')).toMatchObject({ exportThenDeleteUrl: `https://x.example/choices/t?option=${FOURTH}` });
    const base = { content, noticeId: 'privacy', version: 2, region: 'eea', kind: 'choice', deadline, publicBaseUrl: 'https://privacy.example.com' } as const;
    const en = renderCampaignEmail({ ...base, language: 'en' });
    const ja = renderCampaignEmail({ ...base, language: 'ja' });
    expect(en.html).toContain('href="{{exportThenDeleteUrl}}"');
    expect(en.html).toContain('Send me a copy, then delete it</a><br>We send you what we hold from before 1 February 2027, then delete it.');
    expect(en.text).toContain('Send me a copy, then delete it:\n{{exportThenDeleteUrl}}');
    expect(ja.html).toContain('写しを受け取ってから削除する</a><br>2027年2月1日より前の情報の写しをお送りしてから削除します。');
    expect(ja.text).toContain('写しを受け取ってから削除する：\n{{exportThenDeleteUrl}}');
    // After the three it follows, as the table orders them.
    expect(en.html.indexOf('{{deleteUrl}}')).toBeLessThan(en.html.indexOf('{{exportThenDeleteUrl}}'));
  });

  it('is a radio button on the choice page and a recorded choice on the confirmation page', () => {
    const campaign = { campaignId: 'privacy-v2', noticeId: 'privacy', version: 2, deadline, regions: [], createdAt: '2026-12-01T00:00:00.000Z', status: 'started' } as const;
    const view = { claims: { campaignId: 'privacy-v2', accountId: 'acct-1', expiresAt: deadline }, campaign, region: 'eea', language: 'ja', options: CHOICE_OPTION_IDS };
    const page = renderChoicePage(content, view, FOURTH);
    expect(page.html).toMatch(new RegExp(`value="${FOURTH}"[^>]*checked`));
    expect(page.html).toContain('<label for="option-export-then-delete">写しを受け取ってから削除する</label>');
    const confirmation = renderConfirmationPage(content, view, { campaignId: 'privacy-v2', version: 2, option: FOURTH, at: '2027-01-05T10:00:00.000Z', defaulted: false });
    expect(confirmation.html).toContain('写しを受け取ってから削除する');
  });
});
