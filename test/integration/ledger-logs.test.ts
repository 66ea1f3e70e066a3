import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_SCOPE } from '../../functions/http/principal.ts';
import { startLedgerApi, variantOf, type LedgerApi } from './engines.ts';

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+/;

/** Capture everything written to stdout, stderr and the console while `run` executes. */
const captureOutput = async (run: () => Promise<void>): Promise<string[]> => {
  const lines: string[] = [];
  const record = (chunk: unknown) => lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = consoleMethods.map((name) => console[name]);
  process.stdout.write = ((chunk: unknown) => (record(chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (record(chunk), true)) as typeof process.stderr.write;
  for (const name of consoleMethods) console[name] = (...args: unknown[]) => record(args.map(String).join(' '));
  try {
    await run();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    consoleMethods.forEach((name, index) => (console[name] = originals[index]!));
  }
  return lines;
};

describe('Logs of the acceptance and contact paths', () => {
  let api: LedgerApi;
  beforeAll(async () => {
    // The most verbose level, so every line the handler could write is written.
    api = await startLedgerApi({ logger: new Logger({ serviceName: 'accounts', logLevel: 'DEBUG' }) });
  });
  afterAll(async () => api?.stop());

  it('never contain an email address, also on error paths', async () => {
    const token = await api.authorizer.sign({ sub: 'acct-logs', scope: SERVICE_SCOPE });
    const lines = await captureOutput(async () => {
      await api.call('POST', '/v1/accounts/acct-logs/acceptances', { token, body: { ...variantOf(1, 'eea', 'en'), email: 'first.person@example.org', source: { channel: 'web', ip: '198.51.100.23' } } });
      await api.call('POST', '/v1/accounts/acct-logs/acceptances', { token, body: { ...variantOf(1, 'eea', 'en'), email: 'first.person@example.org' } });
      await api.call('POST', '/v1/accounts/acct-logs/acceptances', { token, body: { ...variantOf(1, 'eea', 'en'), contentHash: '0'.repeat(64), email: 'conflict.person@example.org' } });
      await api.call('POST', '/v1/accounts/acct-logs/acceptances', { token, body: { ...variantOf(1, 'eea', 'en'), email: 'broken@@example.org' } });
      await api.call('PUT', '/v1/accounts/acct-logs/contact', { token, body: { email: 'second.person@example.org' } });
      await api.call('PUT', '/v1/accounts/acct-logs/contact', { token, body: { email: 'bad-address@', extra: 'third.person@example.org' } });
      await api.call('PUT', '/v1/accounts/acct-logs/contact', { token, body: '{"email": "unterminated@example.org' });
      await api.call('DELETE', '/v1/accounts/acct-logs/contact', { token });
    });

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(text).toContain('acceptance recorded');
    expect(text).toContain('contact erased');
    expect(text).not.toMatch(EMAIL_PATTERN);
    expect(text).not.toContain('198.51.100.23');
  });
});
