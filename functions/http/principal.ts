/** Who is calling, read from the authoriser context API Gateway (or the local gateway) attached. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../core/authorization.ts';

export const ADMIN_SCOPE = 'disclosure/admin';
export const SERVICE_SCOPE = 'disclosure/service';

interface AuthorizerContext {
  readonly iam?: { readonly userArn?: string; readonly userId?: string };
  readonly jwt?: { readonly claims?: Record<string, unknown>; readonly scopes?: readonly string[] | null };
}

const scopesOf = (jwt: NonNullable<AuthorizerContext['jwt']>): string[] => {
  const fromClaim = jwt.claims?.['scope'];
  const claimScopes = typeof fromClaim === 'string' ? fromClaim.split(' ') : Array.isArray(fromClaim) ? fromClaim.map(String) : [];
  return [...claimScopes, ...(jwt.scopes ?? [])];
};

/** The calling principal; `anonymous` when no authoriser ran or it carried no identity. */
export const principalFromEvent = (event: APIGatewayProxyEventV2): Principal => {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  if (authorizer?.iam) return { kind: 'service', id: authorizer.iam.userArn ?? authorizer.iam.userId ?? 'iam' };
  const jwt = authorizer?.jwt;
  const sub = jwt?.claims?.['sub'];
  if (!jwt || typeof sub !== 'string' || sub === '') return { kind: 'anonymous' };
  const scopes = scopesOf(jwt);
  if (scopes.includes(ADMIN_SCOPE)) return { kind: 'admin', id: sub };
  if (scopes.includes(SERVICE_SCOPE)) return { kind: 'service', id: sub };
  return { kind: 'user', sub };
};
