/** A test's client of `npm start`'s platform: admin and service calls, version-1 acceptances, the SES mailbox. */
import { expect } from 'vitest';
import type { Platform } from '../../local/platform.ts';
import { emailsByRecipient } from './campaign-seed.ts';

/** The address `accept` gives an account unless told otherwise. */
export const customerAddress = (accountId: string): string => `${accountId}@customers.example`;

/** Calls on the platform `current()` answers (set in a `beforeAll`). */
export const platformClient = (current: () => Platform) => {
  /** One call as a service or an admin principal; the JSON body, or `{}`. */
  const api = async (method: string, path: string, as: 'service' | 'admin', body?: unknown) => {
    const platform = current();
    const token = await platform.sign({ sub: `test-${as}`, scope: `disclosure/${as}` });
    const response = await fetch(new URL(path, platform.url), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };
  /** The account accepts the version-1 variant served for `country`, with `email` (null: without an address). */
  const accept = async (accountId: string, country: string, email: string | null = customerAddress(accountId)): Promise<void> => {
    const notice = (await (await fetch(new URL(`/v1/notices/privacy?country=${country}&version=1`, current().url))).json()) as Record<string, unknown>;
    const { status } = await api('POST', `/v1/accounts/${accountId}/acceptances`, 'service', {
      noticeId: 'privacy',
      version: 1,
      region: notice['region'],
      language: notice['language'],
      contentHash: notice['contentHash'],
      ...(email === null ? {} : { email }),
    });
    expect(status).toBeLessThan(300);
  };
  /** Emails per address in the platform's SES store. */
  const mailbox = (): Promise<Map<string, number>> => emailsByRecipient({ endpoint: current().sesEndpoint });
  return { api, accept, mailbox };
};
