/**
 * Where the choice-token HMAC key comes from: Secrets Manager in AWS (read once per container,
 * then cached), a file generated into the local key directory otherwise.
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

const checked = (key: Uint8Array, from: string): Uint8Array => {
  if (key.byteLength < MIN_TOKEN_KEY_BYTES) {
    throw new TokenKeyUnavailableError(`the choice-token key from ${from} is shorter than ${MIN_TOKEN_KEY_BYTES} bytes`);
  }
  return key;
};

/** Memoise one key lookup; a failed lookup is retried on the next call instead of being cached. */
const cachedOnce = (load: () => Promise<Uint8Array>): TokenKeyProvider => {
  let pending: Promise<Uint8Array> | undefined;
  return {
    getKey: () => {
      pending ??= load().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
};

/**
 * The key from a Secrets Manager secret (`TOKEN_SECRET_ARN`): the secret's binary value, or the
 * UTF-8 bytes of its string value (a generated secret string of ≥ 32 characters).
 */
export const secretsManagerTokenKey = (client: SecretsManagerClient, secretId: string): TokenKeyProvider => {
  if (!secretId) throw new TokenKeyUnavailableError('no secret id given for the choice-token key');
  return cachedOnce(async () => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (result.SecretBinary) return checked(new Uint8Array(result.SecretBinary), 'Secrets Manager');
    if (result.SecretString) return checked(new Uint8Array(Buffer.from(result.SecretString, 'utf8')), 'Secrets Manager');
    throw new TokenKeyUnavailableError('the choice-token secret has no value');
  });
};

/** A random key generated once into `keyDir` (git-ignored) and reused, so links survive a restart. */
export const localTokenKey = (keyDir: string): TokenKeyProvider =>
  cachedOnce(async () => {
    const file = join(keyDir, LOCAL_KEY_FILE);
    try {
      return checked(new Uint8Array(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')), file);
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
      return checked(new Uint8Array(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')), file);
    }
  });

/** A fixed key, for tests. */
export const staticTokenKey = (key: Uint8Array): TokenKeyProvider => {
  checked(key, 'the caller');
  return { getKey: async () => key };
};
