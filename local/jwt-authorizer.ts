/**
 * Emulation of API Gateway's JWT authoriser for the local platform: an ES256 key pair generated
 * once into `keyDir`, tokens signed with it, and verification the way API Gateway does it
 * (signature, `exp` required, `nbf`, `iss`, `aud`). The handler only ever sees the claims.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import { systemClock, type Clock } from '../functions/core/clock.ts';

export const LOCAL_ISSUER = 'urn:disclosure:local';
export const LOCAL_AUDIENCE = 'disclosure';
const ALGORITHM = 'ES256';
const KEY_FILE = 'jwt-es256.json';
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
}

/** The authoriser context API Gateway attaches for a valid JWT. */
export interface JwtAuthorizerContext {
  readonly jwt: { readonly claims: Record<string, unknown>; readonly scopes: readonly string[] | null };
}

export interface LocalJwtAuthorizer {
  authorize(headers: Readonly<Record<string, string | undefined>>): Promise<JwtAuthorizerContext | null>;
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

/** API Gateway hands claims to the Lambda as strings; arrays become `[a b]`. */
const asGatewayClaims = (payload: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'string' ? value : String(value)]),
  );

/** Create (or load) the local signing key and return the authoriser and a token signer. */
export const createLocalJwtAuthorizer = async (options: LocalJwtAuthorizerOptions): Promise<LocalJwtAuthorizer> => {
  const clock = options.clock ?? systemClock;
  const pair = await loadOrCreateKeyPair(options.keyDir);
  const privateKey = await importJWK(pair.privateJwk, ALGORITHM);
  const publicKey = await importJWK(pair.publicJwk, ALGORITHM);

  return {
    authorize: async (headers) => {
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
        return { jwt: { claims: asGatewayClaims(payload as Record<string, unknown>), scopes: null } };
      } catch {
        // Any verification failure is a 401 at the gateway; the reason is not the caller's business.
        return null;
      }
    },
    sign: async ({ sub, scope, ttlSeconds = DEFAULT_TTL_SECONDS, audience = LOCAL_AUDIENCE }) => {
      const issuedAt = Math.floor(clock.now().getTime() / 1000);
      return new SignJWT({ ...(scope ? { scope } : {}) })
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
