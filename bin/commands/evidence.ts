/**
 * `npm run cli -- evidence --account <id> [--notice id] [--format md|html|json] [--templates dir]
 * [--endpoint URL --table NAME | --outputs file]`: one account's whole record as a self-contained
 * report an auditor can read offline: every evidence item in time order, each accepted text in
 * full with its content hash, the hash recomputed here from the published text, and the recipe
 * (and the exact canonical bytes) to recompute it with any SHA-256 tool.
 */
import type { Command } from 'commander';
import { buildContent } from '../../compiler/build.ts';
import { canonicalRendering, contentHash } from '../../compiler/hash.ts';
import { CONTENT_HASH_RECIPE } from '../../compiler/lock.ts';
import { escapeHtml } from '../../functions/core/html.ts';
import { accountEvidence } from '../../functions/ledger/account-evidence.ts';
import { eventTime, type AccountEvidence } from '../../functions/ledger/types.ts';
import { DEFAULT_TEMPLATES_DIR } from './build.ts';
import { CliError, failureLine, resolveLedgerTarget, type LedgerTargetOptions } from './ledger-target.ts';

export interface AcceptedText {
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly language: string;
  /** The hash the acceptance names. */
  readonly contentHash: string;
  /** Recomputed from the published text; undefined when no published variant matches. */
  readonly recomputedHash?: string;
  readonly canonical?: string;
  readonly sections: readonly { readonly id: string; readonly title: string; readonly markdown: string }[];
}

export interface EvidenceReport {
  readonly accountId: string;
  readonly noticeId?: string;
  readonly generatedAt: string;
  readonly recipe: string;
  readonly items: readonly AccountEvidence[];
  readonly accepted: readonly AcceptedText[];
}

type Content = ReturnType<typeof buildContent>;

/** The report of `items`, with each accepted variant's text from `content`. */
export const evidenceReport = (accountId: string, noticeId: string | undefined, items: readonly AccountEvidence[], content: Content, now: Date): EvidenceReport => {
  const accepted = new Map<string, AcceptedText>();
  for (const item of items) {
    if (item.kind !== 'acceptance') continue;
    const key = `${item.noticeId}/${item.version}/${item.region}/${item.language}/${item.contentHash}`;
    if (accepted.has(key)) continue;
    const variant = content.notices.find((n) => n.noticeId === item.noticeId)?.versions.find((v) => v.version === item.version)?.variants[`${item.region}/${item.language}`];
    const sections = variant?.sections.map(({ id, title, markdown }) => ({ id, title, markdown })) ?? [];
    const canonical = variant ? { noticeId: item.noticeId, version: item.version, region: item.region, language: item.language, sections } : undefined;
    accepted.set(key, {
      noticeId: item.noticeId,
      version: item.version,
      region: item.region,
      language: item.language,
      contentHash: item.contentHash,
      ...(canonical ? { recomputedHash: contentHash(canonical), canonical: canonicalRendering(canonical) } : {}),
      sections,
    });
  }
  return { accountId, ...(noticeId ? { noticeId } : {}), generatedAt: now.toISOString(), recipe: CONTENT_HASH_RECIPE, items, accepted: [...accepted.values()] };
};

/** What an item says, in one line (never an address: the evidence holds none). */
const describe = (item: AccountEvidence): string => {
  switch (item.kind) {
    case 'acceptance':
      return `accepted ${item.noticeId} v${item.version} (${item.region}/${item.language}), hash ${item.contentHash}, channel ${item.source.channel}` +
        `${item.source.ipPrefix ? `, IP ${item.source.ipPrefix}` : ''}${item.source.userAgent ? `, user agent "${item.source.userAgent}"` : ''}` +
        `${item.imported ? `, imported (recorded ${item.at})` : ''}`;
    case 'notification': {
      const extra = Object.entries(item).filter(([key]) => !['kind', 'event', 'campaignId', 'messageId', 'version', 'channel', 'at', 'accountId', 'noticeId'].includes(key));
      return `email ${item.event} (${item.noticeId} v${item.version}, campaign ${item.campaignId}, message ${item.messageId})${extra.map(([k, v]) => `, ${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('')}`;
    }
    case 'choice': {
      const extra = Object.entries(item).filter(([key]) => !['kind', 'campaignId', 'version', 'option', 'defaulted', 'channel', 'at', 'accountId', 'noticeId', 'ipPrefix', 'userAgent'].includes(key));
      return `${item.defaulted ? 'defaulted to' : 'chose'} ${item.option} (${item.noticeId} v${item.version}, campaign ${item.campaignId}, channel ${item.channel}${item.ipPrefix ? `, IP ${item.ipPrefix}` : ''})` +
        extra.map(([k, v]) => `, ${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('');
    }
    case 'contact':
      return item.event === 'set' ? `contact address set (via ${item.via}; the address is not part of the evidence)` : 'contact address erased (tombstone)';
  }
};

const verdict = (text: AcceptedText): string =>
  text.recomputedHash === undefined ? 'NOT FOUND among the published variants' : text.recomputedHash === text.contentHash ? 'matches the published text' : `DOES NOT MATCH (published text hashes to ${text.recomputedHash})`;

export const renderMarkdown = (report: EvidenceReport): string => {
  const lines = [
    `# Evidence record of account ${report.accountId}${report.noticeId ? ` (notice ${report.noticeId})` : ''}`,
    '',
    `Generated ${report.generatedAt}. ${report.items.length} evidence item(s), oldest first.`,
    '',
    '| # | time | kind | what |',
    '|---|---|---|---|',
    ...report.items.map((item, i) => `| ${i + 1} | ${eventTime(item)} | ${item.kind} | ${describe(item).replace(/\|/g, '\\|')} |`),
    '',
    '## Accepted texts',
    '',
    `Content hash recipe: ${report.recipe}.`,
    '',
  ];
  for (const text of report.accepted) {
    lines.push(`### ${text.noticeId} v${text.version}, ${text.region}/${text.language}`, '', `- content hash: \`${text.contentHash}\` — ${verdict(text)}`, '');
    for (const section of text.sections) lines.push(`#### ${section.title}`, '', section.markdown, '');
    if (text.canonical) lines.push('Canonical bytes (SHA-256 of this line, without the final newline, is the content hash):', '', '```json', text.canonical, '```', '');
  }
  return `${lines.join('\n')}\n`;
};

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:60rem;margin:0 auto;padding:1rem}' +
  'table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.3rem .5rem;text-align:left;vertical-align:top}' +
  'pre{white-space:pre-wrap;word-break:break-word;background:#f3f3f3;padding:.5rem;border:1px solid #ccc}code{word-break:break-all}.bad{color:#a00000;font-weight:bold}';

export const renderHtml = (report: EvidenceReport): string => {
  const rows = report.items.map((item, i) => `<tr><td>${i + 1}</td><td>${escapeHtml(eventTime(item))}</td><td>${escapeHtml(item.kind)}</td><td>${escapeHtml(describe(item))}</td></tr>`).join('\n');
  const texts = report.accepted.map((text) => {
    const ok = text.recomputedHash === text.contentHash;
    const sections = text.sections.map((s) => `<h4>${escapeHtml(s.title)}</h4>\n<pre>${escapeHtml(s.markdown)}</pre>`).join('\n');
    const canonical = text.canonical ? `<details><summary>Canonical bytes (their SHA-256 is the content hash)</summary><pre>${escapeHtml(text.canonical)}</pre></details>` : '';
    return `<section aria-labelledby="t-${escapeHtml(text.contentHash)}"><h3 id="t-${escapeHtml(text.contentHash)}">${escapeHtml(`${text.noticeId} v${text.version}, ${text.region}/${text.language}`)}</h3>\n` +
      `<p>Content hash <code>${escapeHtml(text.contentHash)}</code>: <span${ok ? '' : ' class="bad"'}>${escapeHtml(verdict(text))}</span></p>\n${sections}\n${canonical}</section>`;
  }).join('\n');
  const title = `Evidence record of account ${report.accountId}${report.noticeId ? ` (notice ${report.noticeId})` : ''}`;
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body><main>\n<h1>${escapeHtml(title)}</h1>\n` +
    `<p>Generated ${escapeHtml(report.generatedAt)}. ${report.items.length} evidence item(s), oldest first.</p>\n` +
    `<h2>Evidence in time order</h2>\n<table><caption>Every evidence item of the account</caption><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">What</th></tr></thead><tbody>\n${rows}\n</tbody></table>\n` +
    `<h2>Accepted texts</h2>\n<p>Content hash recipe: ${escapeHtml(report.recipe)}.</p>\n${texts}\n</main></body></html>\n`;
};

export interface EvidenceOptions extends LedgerTargetOptions {
  readonly account?: string;
  readonly notice?: string;
  readonly format?: string;
  readonly templates?: string;
}

/** Resolves to the exit code; the report on stdout, failures as one line on stderr. */
export const runEvidence = async (options: EvidenceOptions, io: { stdout(text: string): void; stderr(text: string): void }, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let close = (): void => {};
  try {
    const format = options.format ?? 'md';
    if (!['md', 'html', 'json'].includes(format)) throw new CliError(`--format is md, html or json, not '${format}'`);
    if (!options.account) throw new CliError('--account is required');
    const content = buildContent({ templatesDir: options.templates ?? DEFAULT_TEMPLATES_DIR, drafts: 'exclude' });
    const target = resolveLedgerTarget(options, env);
    close = target.close;
    const items = await accountEvidence(target.store, options.account, options.notice);
    const report = evidenceReport(options.account, options.notice, items, content, new Date());
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'html' ? renderHtml(report) : renderMarkdown(report));
    io.stderr(`${items.length} evidence item(s) of ${options.account} from ${target.description}\n`);
    return 0;
  } catch (error) {
    io.stderr(`error: ${failureLine(error)}\n`);
    return 1;
  } finally {
    close();
  }
};

/** Wires `evidence` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('evidence')
    .description("one account's whole record as a self-contained report (md, html or json)")
    .requiredOption('--account <id>', 'the account')
    .option('--notice <id>', 'only this notice (contact events always)')
    .option('--format <format>', 'md, html or json', 'md')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .option('--endpoint <url>', 'a DynamoDB endpoint (default: the running local platform, else the deployed stack)')
    .option('--table <name>', 'the ledger table (with --endpoint, or in AWS)')
    .option('--outputs <file>', 'the `cdk deploy --outputs-file` file naming the deployed table (default cdk-outputs.json)')
    .action(async (options: EvidenceOptions) => {
      process.exitCode = await runEvidence(options, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    });
};
