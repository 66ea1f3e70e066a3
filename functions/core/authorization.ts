/** The authorisation decision, pure: who may act on which account, and who may run campaigns. */
import { ForbiddenError, UnauthenticatedError } from './errors.ts';

export type Principal =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly sub: string }
  /** A trusted service: `via: 'iam'` only from the IAM authoriser's context, `'jwt'` from a token's scope. */
  | { readonly kind: 'service'; readonly via: 'iam' | 'jwt'; readonly id: string }
  | { readonly kind: 'admin'; readonly id: string };

/** Throws unless the principal may act for `accountId` (services and admins: any; users: their own `sub`). */
export const authorizeAccount = (principal: Principal, accountId: string): void => {
  switch (principal.kind) {
    case 'anonymous':
      throw new UnauthenticatedError('a bearer token or IAM signature is required');
    case 'user':
      if (principal.sub !== accountId) throw new ForbiddenError('a user token may act only for its own account');
      return;
    case 'service':
    case 'admin':
      return;
  }
};

/**
 * Throws unless the principal may run campaigns: admins, and IAM principals (the service API's
 * IAM authoriser; which of them may is IAM policy). A JWT service token is refused whatever its
 * `sub` looks like: an ARN-shaped `sub` is just a string an identity provider put there.
 */
export const authorizeAdmin = (principal: Principal): void => {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError('a bearer token or IAM signature is required');
  if (principal.kind === 'admin') return;
  if (principal.kind === 'service' && principal.via === 'iam') return;
  throw new ForbiddenError('this route needs an administrator');
};
