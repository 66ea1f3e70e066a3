/**
 * Where a request came from, read from the request itself: the viewer's address (behind CloudFront
 * the `CloudFront-Viewer-Address` header, `ip:port`, since the source IP is then CloudFront's) and
 * the user agent. Evidence keeps only the address's network (`ipPrefix`), never the address.
 */
import { isIP } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** `198.51.100.10:46532` or `2001:db8::1:46532` (CloudFront appends the port) → the address; undefined if malformed. */
export const viewerAddressFromHeader = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  const trimmed = value.trim();
  const colon = trimmed.lastIndexOf(':');
  const address = (colon === -1 ? trimmed : trimmed.slice(0, colon)).replace(/^\[(.*)\]$/, '$1');
  return isIP(address) !== 0 ? address : undefined;
};

/** The viewer's IP and user agent as the request carries them. */
export const requestSource = (event: APIGatewayProxyEventV2): { ip?: string; userAgent?: string } => {
  const ip = viewerAddressFromHeader(event.headers?.['cloudfront-viewer-address']) ?? event.requestContext?.http?.sourceIp;
  const userAgent = event.headers?.['user-agent'] ?? event.requestContext?.http?.userAgent;
  return { ...(ip && isIP(ip) !== 0 ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
};
