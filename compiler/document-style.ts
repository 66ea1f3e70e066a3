/**
 * The one stylesheet of the pre-rendered HTML documents (the notice page and the diff page),
 * inlined in each, so a page loads no external resource. Its hash goes into the pages'
 * Content-Security-Policy (`style-src 'sha256-…'`): no `unsafe-inline`, no script at all.
 */
import { createHash } from 'node:crypto';

/** System fonts only (Latin, Japanese and Korean faces first where a platform has them); readable on a phone; a print stylesheet. */
export const DOCUMENT_STYLE = [
  '*{box-sizing:border-box}',
  'html{-webkit-text-size-adjust:100%;text-size-adjust:100%}',
  'body{margin:0;background:#fff;color:#1a1a1a;font:1rem/1.65 system-ui,-apple-system,"Segoe UI",Roboto,"Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans JP",Meiryo,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;overflow-wrap:break-word}',
  'main{max-width:42rem;margin:0 auto;padding:1.25rem 1.25rem 3rem}',
  'h1{font-size:1.75rem;line-height:1.25;margin:.75rem 0 1rem}',
  'h2{font-size:1.3rem;line-height:1.3;margin:2.25rem 0 .5rem}',
  'h3{font-size:1.1rem;margin:1.25rem 0 .25rem}',
  'a{color:#0b57d0;text-underline-offset:.15em}',
  'a:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}',
  '.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 1rem}',
  '.meta dt{font-weight:600;color:#454545}',
  '.meta dd{margin:0}',
  '.links{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;list-style:none;padding:0;margin:0 0 1.5rem}',
  '.toc{background:#f4f6f9;border-radius:6px;padding:.75rem 1.25rem;margin:1.5rem 0}',
  '.toc h2{font-size:1rem;margin:0 0 .25rem}',
  '.toc ol{margin:0;padding-left:1.25rem}',
  'section{scroll-margin-top:1rem}',
  'table{border-collapse:collapse;display:block;max-width:100%;overflow-x:auto}',
  'th,td{border:1px solid #c4c4c4;padding:.4rem .6rem;text-align:left;vertical-align:top}',
  'pre{overflow-x:auto}',
  'blockquote{margin:1rem 0;padding-left:1rem;border-left:4px solid #c4c4c4}',
  'del{text-decoration:line-through;text-decoration-thickness:2px;background:#fde7e9;color:#6e0b14}',
  'ins{text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:.2em;background:#e2f3e5;color:#0b4d1c}',
  '.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0}',
  '.status{display:inline-block;font-size:.8rem;font-weight:600;border:1px solid currentColor;border-radius:4px;padding:0 .4rem;margin-left:.5rem;vertical-align:.2em}',
  '.legend{border:1px solid #c4c4c4;border-radius:6px;padding:.5rem 1rem}',
  '.declared{background:#f4f6f9;border-left:4px solid #0b57d0;padding:.5rem 1rem;margin:.75rem 0}',
  '.declared h3{font-size:1rem;margin:0}',
  '.declared p{margin:.25rem 0}',
  '@media (max-width:30rem){main{padding:1rem .9rem 2rem}h1{font-size:1.5rem}.meta{grid-template-columns:1fr}.meta dd{margin-bottom:.35rem}}',
  '@media print{@page{margin:2cm}body{font-size:11pt;line-height:1.5}main{max-width:none;padding:0}a{color:inherit}.links{display:none}.toc{background:none;border:1px solid #999}h2,h3{break-after:avoid}p,li{orphans:3;widows:3}del,ins{-webkit-print-color-adjust:exact;print-color-adjust:exact}}',
].join('');

/** The Content-Security-Policy of every pre-rendered document: nothing but this stylesheet, never framed. */
export const documentSecurityPolicy = (style: string = DOCUMENT_STYLE): string =>
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
