/**
 * Where the choice-token HMAC keys come from: Secrets Manager in AWS (cached per container for
 * `TOKEN_KEY_CACHE_MS`), files in the local key directory otherwise. Signing uses the current key;
 * verifying accepts the current and the previous one (two-key rotation).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MIN_TOKEN_KEY_BYTES } from '../core/tokens.ts';
import type { TokenKeyProvider } from './ports.ts';

export type { TokenKeyProvider } from './ports.ts';

/** The key material is missing or too short to sign choice links safely. */
export class TokenKeyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenKeyUnavailableError';
  }
}

const LOCAL_KEY_FILE = 'choice-token.key';
const LOCAL_PREVIOUS_KEY_FILE = 'choice-token.previous.key';

const checked = (key: Uint8Array, from: string): Uint8Array => {
  if (key.byteLength < MIN_TOKEN_KEY_BYTES) {
    throw new TokenKeyUnavailableError(`the choice-token key from ${from} is shorter than ${MIN_TOKEN_KEY_BYTES} bytes`);
  }
  return key;
};

/** How long a container trusts the keys it read: after a rotation, every container signs with the new key within this. */
export const TOKEN_KEY_CACHE_MS = 10 * 60_000;
/** A `reload` (a link no cached key signed) reads the keys again at most this often, so forged links cannot hammer the secret store. */
export const TOKEN_KEY_RELOAD_MIN_MS = 30_000;

interface KeySource {
  readonly current: () => Promise<Uint8Array>;
  /** The key before the last rotation, if there is one. */
  readonly previous: () => Promise<Uint8Array | undefined>;
}

/** Memoise the key lookups for `TOKEN_KEY_CACHE_MS`; a failed lookup is retried on the next call instead of being cached. */
const cached = (source: KeySource, clock: () => number): TokenKeyProvider => {
  interface Entry<T> { readonly at: number; readonly value: Promise<T> }
  let current: Entry<Uint8Array> | undefined;
  let keys: Entry<readonly Uint8Array[]> | undefined;
  const memo = <T>(entry: Entry<T> | undefined, maxAge: number, load: () => Promise<T>, store: (entry: Entry<T> | undefined) => void): Promise<T> => {
    const now = clock();
    if (entry && now - entry.at < maxAge) return entry.value;
    const value = load().catch((error: unknown) => {
      store(undefined);
      throw error;
    });
    store({ at: now, value });
    return value;
  };
  const loadKeys = async (): Promise<readonly Uint8Array[]> => {
    const [fresh, previous] = await Promise.all([source.current(), source.previous()]);
    current = { at: clock(), value: Promise.resolve(fresh) };
    return previous && !Buffer.from(previous).equals(Buffer.from(fresh)) ? [fresh, previous] : [fresh];
  };
  return {
    getKey: () => memo(current, TOKEN_KEY_CACHE_MS, source.current, (entry) => (current = entry)),
    getVerificationKeys: (options) =>
      memo(keys, options?.reload ? TOKEN_KEY_RELOAD_MIN_MS : TOKEN_KEY_CACHE_MS, loadKeys, (entry) => (keys = entry)),
  };
};

const isNotFound = (error: unknown): boolean => (error as { name?: unknown }).name === 'ResourceNotFoundException';

/**
 * The keys from a Secrets Manager secret (`TOKEN_SECRET_ARN`): the secret's binary value, or the
 * UTF-8 bytes of its string value (a generated secret string of ≥ 32 characters). Links are signed
 * with the `AWSCURRENT` version and verified against it and `AWSPREVIOUS` (the value before the
 * last `put-secret-value`), so a rotation keeps the links in flight working (docs/runbook.md).
 */
export const secretsManagerTokenKey = (client: SecretsManagerClient, secretId: string, clock: () => number = Date.now): TokenKeyProvider => {
  if (!secretId) throw new TokenKeyUnavailableError('no secret id given for the choice-token key');
  const read = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<Uint8Array> => {
    const result = await client.send(new GetSecretValueCommand(stage === 'AWSCURRENT' ? { SecretId: secretId } : { SecretId: secretId, VersionStage: stage }));
    if (result.SecretBinary) return checked(new Uint8Array(result.SecretBinary), `Secrets Manager (${stage})`);
    if (result.SecretString) return checked(new Uint8Array(Buffer.from(result.SecretString, 'utf8')), `Secrets Manager (${stage})`);
    throw new TokenKeyUnavailableError('the choice-token secret has no value');
  };
  return cached({
    current: () => read('AWSCURRENT'),
    // A secret never rotated has no AWSPREVIOUS version.
    previous: () => read('AWSPREVIOUS').catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    }),
  }, clock);
};

const readKeyFile = async (file: string): Promise<Uint8Array> =>
  checked(new Uint8Array(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')), file);

/**
 * A random key generated once into `keyDir` (git-ignored) and reused, so links survive a restart;
 * `choice-token.previous.key` beside it, when present, is the key before the last local rotation.
 */
export const localTokenKey = (keyDir: string, clock: () => number = Date.now): TokenKeyProvider => {
  const file = join(keyDir, LOCAL_KEY_FILE);
  const current = async (): Promise<Uint8Array> => {
    try {
      return await readKeyFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(keyDir, { recursive: true });
    const fresh = randomBytes(32);
    try {
      // `wx`: if two processes race, the first file wins and the other reads it.
      await writeFile(file, fresh.toString('base64url'), { mode: 0o600, flag: 'wx' });
      return new Uint8Array(fresh);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return readKeyFile(file);
    }
  };
  const previous = async (): Promise<Uint8Array | undefined> => {
    try {
      return await readKeyFile(join(keyDir, LOCAL_PREVIOUS_KEY_FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return cached({ current, previous }, clock);
};

/** The local equivalent of `put-secret-value`: the current key becomes the previous one, a fresh key the current one. */
export const rotateLocalTokenKey = async (keyDir: string): Promise<void> => {
  const file = join(keyDir, LOCAL_KEY_FILE);
  await mkdir(keyDir, { recursive: true });
  const old = await readFile(file, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (old !== undefined) await writeFile(join(keyDir, LOCAL_PREVIOUS_KEY_FILE), old.trim(), { mode: 0o600 });
  await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
};

/** A fixed key, for tests. */
export const staticTokenKey = (key: Uint8Array): TokenKeyProvider => {
  checked(key, 'the caller');
  return { getKey: async () => key, getVerificationKeys: async () => [key] };
};
