/**
 * The headers every HTML response carries: the page's Content-Security-Policy (no script, nothing
 * external, its inline stylesheet allowed by hash), no MIME sniffing, never framed (`frame-ancestors`
 * for browsers that read CSP, `X-Frame-Options` for those that do not).
 */
export const htmlSecurityHeaders = (contentSecurityPolicy: string): Readonly<Record<string, string>> => ({
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
});
