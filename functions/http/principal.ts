/** Who is calling, read from the authoriser context API Gateway (or the local gateway) attached. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../core/authorization.ts';

export const ADMIN_SCOPE = 'disclosure/admin';
export const SERVICE_SCOPE = 'disclosure/service';

interface AuthorizerContext {
  readonly iam?: { readonly userArn?: string; readonly userId?: string };
  readonly jwt?: { readonly claims?: Record<string, unknown>; readonly scopes?: readonly string[] | null };
}

/**
 * One scope claim's values. API Gateway delivers every claim as a string, an array claim as
 * `"[a b]"`; tests and other front doors may hand over the array itself. `scope` is
 * space-separated (RFC 8693, Cognito, Auth0), `scp` an array (Okta) or a space-separated string
 * (Entra ID), `scopes` an array (some custom issuers).
 */
const claimValues = (claim: unknown): string[] => {
  if (Array.isArray(claim)) return claim.filter((item): item is string => typeof item === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.startsWith('[') && claim.endsWith(']') ? claim.slice(1, -1) : claim;
  return text.split(' ').filter(Boolean);
};

const scopesOf = (jwt: NonNullable<AuthorizerContext['jwt']>): string[] => [
  ...claimValues(jwt.claims?.['scope']),
  ...claimValues(jwt.claims?.['scp']),
  ...claimValues(jwt.claims?.['scopes']),
  ...(jwt.scopes ?? []),
];

/**
 * The calling principal; `anonymous` when no authoriser ran or it carried no identity. Only the
 * IAM authoriser's context makes an IAM principal (`via: 'iam'`); what a JWT claim looks like
 * (a `sub` shaped like an ARN) never does.
 */
export const principalFromEvent = (event: APIGatewayProxyEventV2): Principal => {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  if (authorizer?.iam) return { kind: 'service', via: 'iam', id: authorizer.iam.userArn ?? authorizer.iam.userId ?? 'iam' };
  const jwt = authorizer?.jwt;
  const sub = jwt?.claims?.['sub'];
  if (!jwt || typeof sub !== 'string' || sub === '') return { kind: 'anonymous' };
  const scopes = scopesOf(jwt);
  if (scopes.includes(ADMIN_SCOPE)) return { kind: 'admin', id: sub };
  if (scopes.includes(SERVICE_SCOPE)) return { kind: 'service', via: 'jwt', id: sub };
  return { kind: 'user', sub };
};
