/**
 * A notice translation (`<lang>.md`) split into its sections. Each section starts with an H2
 * carrying a stable id and optional region: `## Your rights {#your-rights}`,
 * `## Residents of the EEA {#eea-transfers region=eea}`.
 */
import { Marked, type Token, type Tokens } from 'marked';
import type { ProblemCollector } from './errors.ts';

export interface SourceSection {
  readonly id: string;
  readonly title: string;
  /** Region id, or null for a common section. */
  readonly region: string | null;
  /** The section body (everything under the heading), trimmed, as authored. */
  readonly markdown: string;
  /** 1-based line of the heading. */
  readonly line: number;
}

const HEADING_ATTRIBUTES = /^(?<title>.*?)\s*\{#(?<id>[^\s}]+)(?<rest>[^}]*)\}\s*$/;
const SECTION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const REGION_ATTRIBUTE = /^region=(?<region>[a-z0-9]+(?:-[a-z0-9]+)*)$/;
const ALLOWED_LINK = /^(?:https?:|mailto:|#|\/(?!\/))/i;

const lexer = new Marked({ gfm: true });

/** Splits and checks one translation; problems go to `problems`, the sections found are returned. */
export const parseNoticeMarkdown = (file: string, source: string, problems: ProblemCollector): SourceSection[] => {
  const text = source.replace(/\r\n?/g, '\n');
  const tokens = lexer.lexer(text);
  const sections: SourceSection[] = [];
  const seen = new Map<string, number>();
  let open: { id: string; title: string; region: string | null; line: number; bodyStart: number } | undefined;

  const close = (end: number): void => {
    if (!open) return;
    const markdown = text.slice(open.bodyStart, end).trim();
    if (markdown === '') problems.add(file, open.line, `section '${open.id}' has no text`);
    sections.push({ id: open.id, title: open.title, region: open.region, markdown, line: open.line });
    open = undefined;
  };

  // Once any H2 was seen, text belongs to a section (possibly one already refused), not before one.
  let sawSectionHeading = false;
  let offset = 0;
  let line = 1;
  for (const token of tokens) {
    const start = locate(text, token.raw, offset);
    line += countNewlines(text, offset, start);
    offset = start;
    const tokenLine = line;

    if (token.type === 'heading' && (token as Tokens.Heading).depth <= 2) {
      const heading = token as Tokens.Heading;
      if (heading.depth === 1) {
        problems.add(file, tokenLine, 'a level-1 heading is not allowed: the notice title comes from notice.yaml; sections are `## Title {#id}`');
      } else {
        close(start);
        sawSectionHeading = true;
        const parsed = parseHeading(heading.text);
        if ('error' in parsed) {
          problems.add(file, tokenLine, parsed.error);
        } else {
          const previous = seen.get(parsed.id);
          if (previous !== undefined) {
            problems.add(file, tokenLine, `duplicate section id '${parsed.id}' (first used on line ${previous})`);
          } else {
            seen.set(parsed.id, tokenLine);
            open = { ...parsed, line: tokenLine, bodyStart: start + token.raw.length };
          }
        }
      }
    } else if (!sawSectionHeading && token.type !== 'space') {
      problems.add(file, tokenLine, 'text before the first section: every paragraph belongs to a `## Title {#id}` section');
    }
    checkMarkup(file, token, tokenLine, problems);

    line += countNewlines(text, start, start + token.raw.length);
    offset = start + token.raw.length;
  }
  close(text.length);
  if (sections.length === 0 && problems.count === 0) problems.add(file, 1, 'no sections: a translation needs at least one `## Title {#id}` section');
  return sections;
};

const parseHeading = (raw: string): { id: string; title: string; region: string | null } | { error: string } => {
  const match = HEADING_ATTRIBUTES.exec(raw.trim());
  if (!match?.groups) {
    return { error: `heading '${raw.trim()}' has no id: write \`## Title {#section-id}\` (optionally \`{#section-id region=eea}\`)` };
  }
  const { title = '', id = '', rest = '' } = match.groups;
  if (!SECTION_ID.test(id)) return { error: `section id '${id}' is not lowercase letters and digits joined by hyphens` };
  if (title.trim() === '') return { error: `section '${id}' has an empty title` };
  let region: string | null = null;
  for (const attribute of rest.trim().split(/\s+/).filter(Boolean)) {
    const regionMatch = REGION_ATTRIBUTE.exec(attribute);
    if (!regionMatch?.groups?.region) return { error: `section '${id}': unknown heading attribute '${attribute}' (only \`region=<id>\` is allowed)` };
    if (region !== null) return { error: `section '${id}' names more than one region` };
    region = regionMatch.groups.region;
  }
  return { id, title: title.trim(), region };
};

/** Raw HTML and script-capable links are refused at the source; sanitising the output is the second line. */
const checkMarkup = (file: string, block: Token, blockLine: number, problems: ProblemCollector): void => {
  const htmlLines = new Set<number>(); // `<b>x</b>` is one mistake, not two
  lexer.walkTokens([block], (token) => {
    const where = blockLine + lineWithin(block.raw, token.raw);
    if (token.type === 'html') {
      if (!htmlLines.has(where)) problems.add(file, where, `raw HTML is not allowed in notices: ${abbreviate(token.raw)}`);
      htmlLines.add(where);
    } else if (token.type === 'link' || token.type === 'image') {
      const href = (token as Tokens.Link | Tokens.Image).href.trim();
      if (token.type === 'image') problems.add(file, where, `images are not supported in notices: ${abbreviate(token.raw)}`);
      else if (!ALLOWED_LINK.test(href)) problems.add(file, where, `link target '${abbreviate(href)}' is not allowed (use https:, http:, mailto:, a #fragment or a /path)`);
    }
  });
};

/** The source position of a token: marked's raws concatenate to the source, but stay robust if not. */
const locate = (text: string, raw: string, from: number): number => {
  if (text.startsWith(raw, from)) return from;
  const found = text.indexOf(raw, from);
  return found === -1 ? from : found;
};

const countNewlines = (text: string, from: number, to: number): number => {
  let count = 0;
  for (let index = text.indexOf('\n', from); index !== -1 && index < to; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
};

const lineWithin = (blockRaw: string, tokenRaw: string): number => {
  const index = blockRaw.indexOf(tokenRaw);
  return index <= 0 ? 0 : countNewlines(blockRaw, 0, index);
};

const abbreviate = (value: string): string => {
  const single = value.replace(/\s+/g, ' ').trim();
  return single.length > 60 ? `${single.slice(0, 57)}...` : single;
};
