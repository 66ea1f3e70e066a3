import { describe, expect, it } from 'vitest';
import type { CompiledContent, CompiledVariant, DeclaredChange } from '../../../functions/core/content.ts';
import { formatDate, neutraliseBraces, renderCampaignEmail } from '../../../functions/campaigns/email.ts';
import { escapeHtml } from '../../../functions/core/html.ts';

/** A two-version notice shaped like the sample, small enough to read. */
const fixture = (summaryEn = 'Usage logs are kept for 36 months instead of 13.'): CompiledContent => {
  const variant = (region: string, language: string, titles: Record<string, string>): CompiledVariant => ({
    noticeId: 'privacy',
    version: 2,
    region,
    language,
    contentHash: 'h'.repeat(64),
    sections: Object.entries(titles).map(([id, title]) => ({ id, title, region: id === 'security' ? null : region, markdown: '', html: '' })),
    markdown: '',
    html: '',
    json: '{}',
    diffPages: {},
  });
  const changes: DeclaredChange[] = [
    { sectionId: 'security', kind: 'editorial', region: null, summary: { en: 'Typo fixed.', ja: '誤字を訂正。' } },
    { sectionId: 'ca-residents', kind: 'material', effect: 'raises', scope: 'new-data', region: 'ca', summary: { en: 'Consent first.', ja: '同意を先に。' } },
    {
      sectionId: 'eea-residents',
      kind: 'material',
      effect: 'lowers',
      scope: 'previously-collected',
      region: 'eea',
      summary: { en: summaryEn, ja: '利用ログの保存期間を36か月に延長します。' },
      choices: ['accept', 'keep-previous', 'delete'],
    },
    {
      sectionId: 'jp-residents',
      kind: 'material',
      effect: 'lowers',
      scope: 'previously-collected',
      region: 'jp',
      summary: { en: 'Records are used for fraud models.', ja: '不正検知モデルの開発にも利用します。' },
      choices: ['accept', 'keep-previous'],
    },
  ];
  return {
    schemaVersion: 1,
    sourceHash: 'x',
    catalogue: { regions: [], countries: {}, subdivisions: {} },
    openapi: '{}',
    documentSecurityPolicy: "default-src 'none'",
    notices: [
      {
        noticeId: 'privacy',
        title: { en: 'Example Privacy Notice', ja: 'プライバシー通知' },
        defaultLanguage: 'en',
        regions: ['global', 'ca', 'eea', 'jp'],
        versions: [
          { version: 1, effectiveDate: '2026-03-01', languages: ['en', 'ja'], sections: [], changes: [], variants: {} },
          {
            version: 2,
            effectiveDate: '2027-02-01',
            languages: ['en', 'ja'],
            sections: [],
            changes,
            variants: {
              'eea/en': variant('eea', 'en', { security: 'Security', 'eea-residents': 'Residents of the EEA' }),
              'jp/ja': variant('jp', 'ja', { security: '安全管理', 'jp-residents': '日本にお住まいのお客様' }),
              'ca/en': variant('ca', 'en', { security: 'Security', 'ca-residents': 'Residents of Canada' }),
            },
          },
        ],
      },
    ],
  };
};

const base = { noticeId: 'privacy', version: 2, deadline: '2027-02-01T00:00:00.000Z', publicBaseUrl: 'https://privacy.example.com/' };

describe('Function: renderCampaignEmail', () => {
  it('renders an English choice email with what changed, the dates, the options and the links', () => {
    // Act
    const email = renderCampaignEmail({ ...base, content: fixture(), region: 'eea', language: 'en', kind: 'choice' });

    // Assess
    expect(email.subject).toBe('Please choose by 1 February 2027: changes to the Example Privacy Notice');
    expect(email.html).toMatch(/^<!doctype html>\n<html lang="en"/);
    expect(email.html).toContain('<h1');
    expect(email.html).toContain('<strong>Residents of the EEA:</strong> Usage logs are kept for 36 months instead of 13.');
    expect(email.html).toContain('1 February 2027 at 00:00 UTC');
    expect(email.html).toContain('editorial corrections');
    for (const placeholder of ['{{acceptUrl}}', '{{keepPreviousUrl}}', '{{deleteUrl}}', '{{choiceUrl}}']) {
      expect(email.html).toContain(`href="${placeholder}"`);
      expect(email.text).toContain(placeholder);
    }
    expect(email.html).toContain('href="https://privacy.example.com/v1/notices/privacy?version=2&amp;region=eea&amp;lang=en&amp;format=html"');
    expect(email.html).toContain('href="https://privacy.example.com/v1/notices/privacy/diff?from=1&amp;to=2&amp;region=eea&amp;lang=en&amp;format=html"');
    expect(email.text).toContain('https://privacy.example.com/v1/notices/privacy?version=2&region=eea&lang=en&format=html');
    expect(email.text).not.toMatch(/<[a-z]/i);
    // The CA raise and the other regions' changes are not this reader's business
    expect(email.html).not.toContain('Consent first');
    expect(email.html).not.toContain('fraud');
  });

  it('renders Japanese for a jp recipient, with only the options the change allows', () => {
    const email = renderCampaignEmail({ ...base, content: fixture(), region: 'jp', language: 'ja', kind: 'choice' });

    expect(email.subject).toContain('2027年2月1日までにご選択ください');
    expect(email.html).toContain('<html lang="ja"');
    expect(email.html).toContain('日本にお住まいのお客様');
    expect(email.html).toContain('不正検知モデルの開発にも利用します。');
    expect(email.html).toContain('{{acceptUrl}}');
    expect(email.html).toContain('{{keepPreviousUrl}}');
    expect(email.html).not.toContain('{{deleteUrl}}');
    expect(email.text).not.toContain('{{deleteUrl}}');
  });

  it('says "reminder" in a reminder and offers no choice in an informational email', () => {
    const reminder = renderCampaignEmail({ ...base, content: fixture(), region: 'eea', language: 'en', kind: 'reminder' });
    const informational = renderCampaignEmail({ ...base, content: fixture(), region: 'ca', language: 'en', kind: 'informational' });

    expect(reminder.subject).toMatch(/^Reminder/);
    expect(reminder.html).toContain('We have not yet received your choice');
    expect(informational.html).toContain('Consent first.');
    expect(informational.html).not.toContain('{{acceptUrl}}');
    expect(informational.text).not.toContain('{{choiceUrl}}');
  });

  it('falls back to English for a language without templates', () => {
    const email = renderCampaignEmail({ ...base, content: fixture(), region: 'eea', language: 'fr', kind: 'choice' });

    expect(email.html).toContain('<html lang="en"');
  });

  it('writes to a Korean recipient in Korean: subject, body and option words', () => {
    const email = renderCampaignEmail({ ...base, content: fixture(), region: 'eea', language: 'ko', kind: 'choice' });

    expect(email.html).toContain('<html lang="ko"');
    expect(email.subject).toContain('선택해 주십시오');
    expect(email.text).toContain('이미 보유한 정보를 삭제해 주십시오');
  });

  it('escapes markup and neutralises SES placeholders coming from content', () => {
    // Prepare: a hostile summary
    const hostile = '<script>alert(1)</script> {{acceptUrl}} "quoted" & {{{x}}}';

    // Act
    const email = renderCampaignEmail({ ...base, content: fixture(hostile), region: 'eea', language: 'en', kind: 'choice' });

    // Assess: no markup, and the only {{…}} left are our own four placeholders
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('&quot;quoted&quot; &amp;');
    const placeholdersIn = (s: string) => [...s.matchAll(/\{\{\{?\s*([^}]*)\}?\}\}/g)].map((m) => m[1]);
    expect(new Set(placeholdersIn(email.html))).toEqual(new Set(['acceptUrl', 'keepPreviousUrl', 'deleteUrl', 'choiceUrl']));
    expect(placeholdersIn(email.text).filter((name) => name === 'acceptUrl')).toHaveLength(1);
    expect(email.text).toContain('<script>alert(1)</script> { {acceptUrl} }');
  });
});

describe('Function: escapes', () => {
  it('escapes HTML and braces, and breaks {{ in text', () => {
    expect(escapeHtml(`<a href="x">{{y}}</a>'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#123;&#123;y&#125;&#125;&lt;/a&gt;&#39;');
    expect(neutraliseBraces('a {{{b}}} c')).not.toContain('{{');
    expect(neutraliseBraces('a {{{b}}} c')).not.toContain('}}');
    expect(formatDate('2027-02-01', 'ja')).toBe('2027年2月1日');
  });
});
