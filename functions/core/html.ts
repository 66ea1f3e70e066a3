/**
 * HTML escaping, once for every renderer: the compiled notices, the SES template data, the email
 * and the choice pages. Pure, so the content compiler and the Lambdas share it.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '{': '&#123;',
  '}': '&#125;',
};

/**
 * Escape text for an HTML element or a quoted attribute value. Braces are escaped too: SES and
 * mustache read the emails again as templates, and a value must never become a placeholder.
 */
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"'`{}]/g, (ch) => HTML_ESCAPES[ch]!);
