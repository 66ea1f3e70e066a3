/**
 * Emulation of API Gateway's JWT authoriser for the local platform: an RS256 key pair generated
 * once into `keyDir` (API Gateway's HTTP API JWT authoriser verifies RSA signatures only, so an
 * ES256 token that passed here would be a 401 deployed), tokens signed with it, and verification
 * the way API Gateway does it (signature, `exp` required, `nbf`, `iss`, `aud`, then the route's
 * authorization scopes against `scope`/`scp`). The handler only ever sees the claims, rendered as
 * API Gateway renders them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import { systemClock, type Clock } from '../functions/core/clock.ts';

export const LOCAL_ISSUER = 'urn:disclosure:local';
export const LOCAL_AUDIENCE = 'disclosure';
const ALGORITHM = 'RS256';
const KEY_FILE = 'jwt-rs256.json';
const KEY_ID = 'local-1';
const DEFAULT_TTL_SECONDS = 3600;

export interface LocalJwtAuthorizerOptions {
  /** Where the key pair lives (created if absent). */
  readonly keyDir: string;
  /** Time for signing and for `exp`/`nbf` checks. @default systemClock */
  readonly clock?: Clock;
}

export interface SignInput {
  readonly sub: string;
  /** Space-separated scopes, e.g. `disclosure/admin`. */
  readonly scope?: string;
  /** Lifetime; negative values make an already expired token (for tests). @default 3600 */
  readonly ttlSeconds?: number;
  /** Override the audience (for tests of a wrong audience). @default 'disclosure' */
  readonly audience?: string;
  /** Further claims, as an identity provider would add them (`scp`, `cognito:groups`, …). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** What the authoriser decided: the context to attach, or API Gateway's 401 / 403. */
export type JwtDecision = JwtAuthorizerContext | 'unauthorized' | 'forbidden';

/** The authoriser context API Gateway attaches for a valid JWT. */
export interface JwtAuthorizerContext {
  readonly jwt: { readonly claims: Record<string, unknown>; readonly scopes: readonly string[] | null };
}

export interface LocalJwtAuthorizer {
  /** The context for a valid token, null for a missing or invalid one (401). */
  authorize(headers: Readonly<Record<string, string | undefined>>): Promise<JwtAuthorizerContext | null>;
  /** As API Gateway decides a route: 401 without a valid token, 403 when the route has scopes and the token none of them. */
  authorizeRoute(headers: Readonly<Record<string, string | undefined>>, scopes: readonly string[]): Promise<JwtDecision>;
  sign(input: SignInput): Promise<string>;
}

interface StoredKeyPair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

const loadOrCreateKeyPair = async (keyDir: string): Promise<StoredKeyPair> => {
  const path = join(keyDir, KEY_FILE);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StoredKeyPair;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const pair: StoredKeyPair = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
  try {
    // `wx`: if another process created the key meanwhile, keep theirs so both sign alike.
    await writeFile(path, JSON.stringify(pair), { flag: 'wx', mode: 0o600 });
    return pair;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(path, 'utf8')) as StoredKeyPair;
  }
};

const bearerToken = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  const value = headers['authorization'] ?? headers['Authorization'];
  const match = value === undefined ? null : /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(value);
  return match?.[1];
};

/**
 * One claim value as API Gateway's HTTP API hands it to the Lambda: always a string, written the
 * way Go's `%v` writes the decoded JSON (numbers as their JSON text: `exp: "1612061676"`, arrays
 * `[a b]`, objects `map[k:v]` with sorted keys, null `<nil>`).
 */
export const gatewayClaimText = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(gatewayClaimText).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${gatewayClaimText(item)}`).join(' ')}]`;
  }
  return String(value);
};

/** Every claim as API Gateway renders it. */
export const asGatewayClaims = (payload: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, gatewayClaimText(value)]));

/** The scopes API Gateway matches a route's authorization scopes against: `scope` (space-separated) or `scp` (array or string). */
const tokenScopes = (payload: Record<string, unknown>): string[] => {
  const found: string[] = [];
  for (const claim of [payload['scope'], payload['scp']]) {
    if (typeof claim === 'string') found.push(...claim.split(' ').filter(Boolean));
    else if (Array.isArray(claim)) found.push(...claim.filter((item): item is string => typeof item === 'string'));
  }
  return found;
};

/** Create (or load) the local signing key and return the authoriser and a token signer. */
export const createLocalJwtAuthorizer = async (options: LocalJwtAuthorizerOptions): Promise<LocalJwtAuthorizer> => {
  const clock = options.clock ?? systemClock;
  const pair = await loadOrCreateKeyPair(options.keyDir);
  const privateKey = await importJWK(pair.privateJwk, ALGORITHM);
  const publicKey = await importJWK(pair.publicJwk, ALGORITHM);

  const verify = async (headers: Readonly<Record<string, string | undefined>>): Promise<Record<string, unknown> | null> => {
    const token = bearerToken(headers);
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['exp', 'sub'],
        currentDate: clock.now(),
      });
      return payload as Record<string, unknown>;
    } catch {
      // Any verification failure is a 401 at the gateway; the reason is not the caller's business.
      return null;
    }
  };
  const contextOf = (payload: Record<string, unknown>): JwtAuthorizerContext => ({ jwt: { claims: asGatewayClaims(payload), scopes: null } });

  return {
    authorize: async (headers) => {
      const payload = await verify(headers);
      return payload ? contextOf(payload) : null;
    },
    authorizeRoute: async (headers, scopes) => {
      const payload = await verify(headers);
      if (!payload) return 'unauthorized';
      if (scopes.length > 0) {
        const granted = tokenScopes(payload);
        if (!scopes.some((scope) => granted.includes(scope))) return 'forbidden';
      }
      return contextOf(payload);
    },
    sign: async ({ sub, scope, ttlSeconds = DEFAULT_TTL_SECONDS, audience = LOCAL_AUDIENCE, claims = {} }) => {
      const issuedAt = Math.floor(clock.now().getTime() / 1000);
      return new SignJWT({ ...claims, ...(scope ? { scope } : {}) })
        .setProtectedHeader({ alg: ALGORITHM, kid: KEY_ID, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setNotBefore(Math.min(issuedAt, issuedAt + ttlSeconds))
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(privateKey);
    },
  };
};
