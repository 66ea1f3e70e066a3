import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../../functions/core/errors.ts';
import {
  ChoiceTokenSignatureError,
  ExpiredChoiceTokenError,
  MAX_CHOICE_TOKEN_LENGTH,
  signChoiceToken,
  verifyChoiceToken,
} from '../../../functions/core/tokens.ts';

const key = new Uint8Array(randomBytes(32));
const otherKey = new Uint8Array(randomBytes(32));
const deadline = '2027-02-01T00:00:00.000Z';
const before = new Date('2027-01-15T12:00:00Z');
const claims = { campaignId: 'privacy-v2', accountId: 'acct-0001', expiresAt: deadline };

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('Function: signChoiceToken', () => {
  it('produces a URL-safe, versioned token', () => {
    // Act
    const token = signChoiceToken(claims, key);

    // Assess
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('refuses a short key and empty ids', () => {
    expect(() => signChoiceToken(claims, new Uint8Array(16))).toThrow(TypeError);
    expect(() => signChoiceToken({ ...claims, accountId: '' }, key)).toThrow(TypeError);
    expect(() => signChoiceToken({ ...claims, expiresAt: 'soon' }, key)).toThrow(TypeError);
  });
});

describe('Function: verifyChoiceToken', () => {
  it('returns the claims of an authentic token before its deadline', () => {
    const token = signChoiceToken(claims, key);

    expect(verifyChoiceToken(token, key, before)).toEqual(claims);
  });

  it('rejects a token tampered at every character position', () => {
    // Prepare
    const token = signChoiceToken(claims, key);

    // Act / Assess: every position, replaced by two different characters
    for (let i = 0; i < token.length; i += 1) {
      for (const shift of [1, 17]) {
        const original = token[i] as string;
        const replacement = B64URL[(B64URL.indexOf(original) + shift + B64URL.length) % B64URL.length] as string;
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(tampered).not.toBe(token);
        expect(() => verifyChoiceToken(tampered, key, before), `position ${i}`).toThrow(InvalidTokenError);
      }
    }
  });

  it('rejects truncated, extended and re-encoded tokens', () => {
    const token = signChoiceToken(claims, key);

    expect(() => verifyChoiceToken(token.slice(0, -1), key, before)).toThrow(InvalidTokenError);
    expect(() => verifyChoiceToken(`${token}A`, key, before)).toThrow(InvalidTokenError);
    expect(() => verifyChoiceToken(`${token}.x`, key, before)).toThrow(InvalidTokenError);
    expect(() => verifyChoiceToken(token.replace(/^v1/, 'v2'), key, before)).toThrow(InvalidTokenError);
    expect(() => verifyChoiceToken('', key, before)).toThrow(InvalidTokenError);
    expect(() => verifyChoiceToken('v1..', key, before)).toThrow(InvalidTokenError);
    expect(() => verifyChoiceToken('x'.repeat(MAX_CHOICE_TOKEN_LENGTH + 1), key, before)).toThrow(InvalidTokenError);
  });

  it('rejects a token signed with another key', () => {
    const token = signChoiceToken(claims, otherKey);

    expect(() => verifyChoiceToken(token, key, before)).toThrow(InvalidTokenError);
  });

  it('rejects an authentic token at and after its deadline, with the claims', () => {
    const token = signChoiceToken(claims, key);

    for (const now of [new Date(deadline), new Date('2027-02-01T00:00:00.001Z'), new Date('2030-01-01T00:00:00Z')]) {
      let thrown: unknown;
      try {
        verifyChoiceToken(token, key, now);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ExpiredChoiceTokenError);
      expect(thrown).toBeInstanceOf(InvalidTokenError);
      expect((thrown as ExpiredChoiceTokenError).claims).toEqual(claims);
    }
  });

  it('binds the account and the campaign: a payload swapped from another token is refused', () => {
    // Prepare: two tokens, one for another account, one for another campaign
    const mine = signChoiceToken(claims, key);
    const otherAccount = signChoiceToken({ ...claims, accountId: 'acct-0002' }, key);
    const otherCampaign = signChoiceToken({ ...claims, campaignId: 'privacy-v3' }, key);
    const [, , mySignature] = mine.split('.');

    // Act / Assess: their payloads with my signature never verify
    for (const other of [otherAccount, otherCampaign]) {
      const [version, payload] = other.split('.');
      expect(() => verifyChoiceToken(`${version}.${payload}.${mySignature}`, key, before)).toThrow(InvalidTokenError);
    }
    // and each genuine token names only its own account and campaign
    expect(verifyChoiceToken(otherAccount, key, before).accountId).toBe('acct-0002');
    expect(verifyChoiceToken(otherCampaign, key, before).campaignId).toBe('privacy-v3');
  });

  it('rejects a validly signed payload that is not a claims object', () => {
    // Prepare: garbage signed with the right key, to prove the shape check behind the signature
    for (const body of ['[]', '{"c":1,"a":"x","e":"2027-01-01T00:00:00Z"}', '{"c":"x","a":"y","e":"never"}', 'not json']) {
      const payload = Buffer.from(body).toString('base64url');
      const signature = createHmac('sha256', key).update(`v1.${payload}`).digest('base64url');

      expect(() => verifyChoiceToken(`v1.${payload}.${signature}`, key, before)).toThrow(InvalidTokenError);
    }
  });
});

describe('Provider: choice-token keys', () => {
  it('generates a local key once into the key directory and reuses it', async () => {
    // Prepare
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { localTokenKey } = await import('../../../functions/campaigns/token-key.ts');
    const dir = mkdtempSync(join(tmpdir(), 'token-key-'));

    try {
      // Act
      const first = await localTokenKey(dir).getKey();
      const again = await localTokenKey(dir).getKey();

      // Assess
      expect(first.byteLength).toBe(32);
      expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
      expect(statSync(join(dir, 'choice-token.key')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the Secrets Manager secret once per container and refuses a short one', async () => {
    // Prepare
    const { mockClient } = await import('aws-sdk-client-mock');
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { secretsManagerTokenKey, TokenKeyUnavailableError } = await import('../../../functions/campaigns/token-key.ts');
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: 'good' }).resolves({ SecretString: 'k'.repeat(64) });
    secrets.on(GetSecretValueCommand, { SecretId: 'short' }).resolves({ SecretString: 'too short' });
    const client = new SecretsManagerClient({});

    try {
      // Act
      const provider = secretsManagerTokenKey(client, 'good');
      const [a, b] = await Promise.all([provider.getKey(), provider.getKey()]);

      // Assess
      expect(Buffer.from(a).toString()).toBe('k'.repeat(64));
      expect(b).toBe(a);
      expect(secrets.commandCalls(GetSecretValueCommand, { SecretId: 'good' })).toHaveLength(1);
      await expect(secretsManagerTokenKey(client, 'short').getKey()).rejects.toBeInstanceOf(TokenKeyUnavailableError);
    } finally {
      secrets.restore();
    }
  });
});

describe('Two-key rotation of the choice-token key', () => {
  const oldKey = new Uint8Array(randomBytes(32));
  const newKey = new Uint8Array(randomBytes(32));

  it('verifies a link signed with the previous key until its deadline, and no longer', () => {
    // Prepare
    const token = signChoiceToken(claims, oldKey);

    // Act + Assess
    expect(verifyChoiceToken(token, [newKey, oldKey], before)).toEqual(claims);
    expect(() => verifyChoiceToken(token, [newKey, oldKey], new Date(deadline))).toThrow(ExpiredChoiceTokenError);
    expect(() => verifyChoiceToken(token, [newKey], before)).toThrow(ChoiceTokenSignatureError);
    expect(() => verifyChoiceToken(token, [], before)).toThrow(TypeError);
  });

  it('reads AWSCURRENT and AWSPREVIOUS from Secrets Manager and signs with the current one', async () => {
    // Prepare
    const { mockClient } = await import('aws-sdk-client-mock');
    const { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { secretsManagerTokenKey } = await import('../../../functions/campaigns/token-key.ts');
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: 'rotated' }).resolves({ SecretBinary: newKey });
    secrets.on(GetSecretValueCommand, { SecretId: 'rotated', VersionStage: 'AWSPREVIOUS' }).resolves({ SecretBinary: oldKey });
    secrets.on(GetSecretValueCommand, { SecretId: 'never-rotated' }).resolves({ SecretBinary: newKey });
    secrets.on(GetSecretValueCommand, { SecretId: 'never-rotated', VersionStage: 'AWSPREVIOUS' })
      .rejects(new ResourceNotFoundException({ message: 'no such version', $metadata: {} }));
    const client = new SecretsManagerClient({});

    try {
      // Act
      const rotated = secretsManagerTokenKey(client, 'rotated');
      const oldLink = signChoiceToken(claims, oldKey);
      const newLink = signChoiceToken(claims, await rotated.getKey());

      // Assess
      const keys = await rotated.getVerificationKeys();
      expect(keys.map((k) => Buffer.from(k).toString('hex'))).toEqual([Buffer.from(newKey).toString('hex'), Buffer.from(oldKey).toString('hex')]);
      expect(verifyChoiceToken(oldLink, keys, before)).toEqual(claims);
      expect(verifyChoiceToken(newLink, keys, before)).toEqual(claims);
      expect(await secretsManagerTokenKey(client, 'never-rotated').getVerificationKeys()).toHaveLength(1);
    } finally {
      secrets.restore();
    }
  });

  it('rereads the keys when a link no cached key signed arrives, at most every 30 s, and after the cache age', async () => {
    // Prepare
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { localTokenKey, rotateLocalTokenKey, TOKEN_KEY_CACHE_MS, TOKEN_KEY_RELOAD_MIN_MS } = await import('../../../functions/campaigns/token-key.ts');
    const dir = mkdtempSync(join(tmpdir(), 'token-rotation-'));
    let now = 0;
    const verifier = localTokenKey(dir, () => now);
    const signer = localTokenKey(dir, () => now);

    try {
      const before1 = await verifier.getVerificationKeys();
      const oldLink = signChoiceToken(claims, await signer.getKey());

      // Act: rotate; a fresh container signs with the new key
      await rotateLocalTokenKey(dir);
      const newLink = signChoiceToken(claims, await localTokenKey(dir).getKey());

      // Assess: the warm verifier's cache does not know the new key; a reload inside 30 s is refused, after it succeeds
      expect(() => verifyChoiceToken(newLink, before1, before)).toThrow(ChoiceTokenSignatureError);
      now = TOKEN_KEY_RELOAD_MIN_MS - 1;
      expect(await verifier.getVerificationKeys({ reload: true })).toBe(before1);
      now = TOKEN_KEY_RELOAD_MIN_MS;
      const reloaded = await verifier.getVerificationKeys({ reload: true });
      expect(verifyChoiceToken(newLink, reloaded, before)).toEqual(claims);
      expect(verifyChoiceToken(oldLink, reloaded, before)).toEqual(claims);
      // The warm signer moves to the new key once its cache has aged.
      expect(verifyChoiceToken(signChoiceToken(claims, await signer.getKey()), [await signer.getKey()], before)).toEqual(claims);
      now = TOKEN_KEY_CACHE_MS;
      const signedAfterAge = signChoiceToken(claims, await signer.getKey());
      expect(() => verifyChoiceToken(signedAfterAge, before1, before)).toThrow(ChoiceTokenSignatureError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
