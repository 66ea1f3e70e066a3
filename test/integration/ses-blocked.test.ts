/**
 * Misconfiguration never burns a campaign, through `npm start`'s stack: the local SES endpoint
 * refuses with IAM's AccessDenied for a while. Dry run and start refuse with the failed readiness
 * check; a campaign whose sends SES refuses is blocked with the reason and marks nobody failed;
 * the scheduler leaves it blocked while SES still refuses and resumes it once SES is ready; then
 * every affected account is emailed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';
import { platformClient } from './platform-client.ts';
import { SES_CALL_FAULTS } from '../../local/ses-endpoint.ts';
import type { LocalScheduler } from '../../local/wiring/choices.ts';
import { campaignsApiLambda } from '../../functions/manifest.ts';

const clock = fixedClock('2026-12-01T09:00:00.000Z');
const AFFECTED = [
  ['blk-de', 'DE'],
  ['blk-fr', 'FR'],
  ['blk-it', 'IT'],
  ['blk-jp', 'JP'],
  ['blk-nl', 'NL'],
] as const;

describe('A campaign SES refuses for its configuration', () => {
  let platform: Platform;
  let scheduler: LocalScheduler;
  let drain: () => Promise<void>;

  const { api, accept, mailbox } = platformClient(() => platform);
  const start = (dryRun: boolean) => api('POST', '/v1/campaigns', 'admin', { noticeId: 'privacy', version: 2, dryRun });
  const progress = async () => (await api('GET', '/v1/campaigns/privacy-v2', 'admin')).body;

  beforeAll(async () => {
    platform = await startPlatform({ port: 0, sesPort: 0, quiet: true, clock });
    scheduler = platform.env.shared.get('choices:scheduler') as LocalScheduler;
    const workers = platform.env.shared.get('campaigns:workers') as { drain(): Promise<void> };
    drain = () => workers.drain();
    for (const [accountId, country] of AFFECTED) await accept(accountId, country);
  });
  afterAll(async () => platform?.stop());

  it('refuses a dry run and a start naming the failed readiness check', async () => {
    platform.sesAccount.setCallFault(SES_CALL_FAULTS.accessDenied);
    for (const dryRun of [true, false]) {
      const refused = await start(dryRun);
      expect(refused.status).toBe(409);
      expect(refused.type).toBe('application/problem+json');
      expect(refused.body).toMatchObject({ type: 'https://disclosure.dev/problems/not-ready', checks: [{ check: 'ses-access' }] });
      expect(refused.body['detail']).toContain('AccessDeniedException');
    }
    platform.sesAccount.setCallFault(undefined);
    platform.sesAccount.setAccount({ productionAccessEnabled: false });
    platform.sesAccount.setIdentity('disclosure.local', { dkimStatus: 'PENDING' });
    const sandboxed = await start(true);
    expect(sandboxed.status).toBe(409);
    expect(sandboxed.body['checks'].map((c: { check: string }) => c.check)).toEqual(['production-access', 'dkim']);
    platform.sesAccount.setAccount({ productionAccessEnabled: true });
    platform.sesAccount.setIdentity('disclosure.local', { dkimStatus: 'SUCCESS' });
    expect((await start(true)).status).toBe(200);
    // Nothing was created by the refused start.
    expect((await api('GET', '/v1/campaigns/privacy-v2', 'admin')).status).toBe(404);
  });

  it('blocks the campaign while SES refuses, fails nobody, and emails everyone once after the fault clears', async () => {
    // SES answers the readiness reads but refuses every send (an IAM policy without ses:SendBulkEmail).
    platform.sesAccount.setCallFault(SES_CALL_FAULTS.accessDenied, 'send');
    expect((await start(false)).status).toBe(202);
    await drain();
    let state = await progress();
    expect(state).toMatchObject({ status: 'blocked', run: { status: 'blocked' }, sent: 0, failed: 0, audience: AFFECTED.length });
    expect(state['run'].reason).toMatch(/^AccessDeniedException: /);
    expect(platform.sesCounters.refused).toBeGreaterThan(0);
    expect((await mailbox()).size).toBe(0);

    // Every call refused: the scheduler's readiness check fails, the campaign stays blocked.
    platform.sesAccount.setCallFault(SES_CALL_FAULTS.accessDenied);
    await scheduler.runOnce();
    await drain();
    state = await progress();
    expect(state).toMatchObject({ status: 'blocked', sent: 0, failed: 0 });

    // The fault clears: the next scheduler run resumes it and the parked sends go out.
    platform.sesAccount.setCallFault(undefined);
    clock.set('2026-12-01T10:00:00.000Z');
    await scheduler.runOnce();
    await drain();
    state = await progress();
    expect(state).toMatchObject({ status: 'sent', run: { status: 'running' }, sent: AFFECTED.length, failed: 0 });
    const mail = await mailbox();
    for (const [accountId] of AFFECTED) expect(mail.get(`${accountId}@customers.example`), accountId).toBe(1);
    expect([...mail.values()].reduce((a, b) => a + b, 0)).toBe(AFFECTED.length);

    // Nobody failed, so retry-failed re-queues nobody.
    const retried = await api('POST', '/v1/campaigns/privacy-v2/retry-failed', 'admin');
    expect(retried).toMatchObject({ status: 200, body: { campaignId: 'privacy-v2', requeued: 0, stillQueued: 0, notRetryable: {} } });
  }, 60_000);

  it('admin routes, retry-failed included: the authorisation matrix through the gateway and JWT authoriser', async () => {
    const callers: [string, string | undefined, 401 | 403 | 'ok'][] = [
      ['no token', undefined, 401],
      ['garbage', 'not.a.jwt', 401],
      ['user', await platform.sign({ sub: 'blk-de' }), 403],
      ['service', await platform.sign({ sub: 'billing', scope: 'disclosure/service' }), 403],
      ['admin', await platform.sign({ sub: 'ops', scope: 'disclosure/admin' }), 'ok'],
    ];
    const bodies: Record<string, unknown> = { 'POST /v1/campaigns': { noticeId: 'privacy', version: 2, dryRun: true } };
    const seen: string[] = [];
    for (const route of campaignsApiLambda.trigger.routes) {
      const key = `${route.method} ${route.path}`;
      seen.push(key);
      const path = route.path.replace('{campaignId}', 'privacy-v2');
      for (const [caller, token, expected] of callers) {
        const body = bodies[key] ?? (route.method === 'POST' ? {} : undefined);
        const response = await fetch(new URL(path, platform.url), {
          method: route.method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        await response.arrayBuffer();
        if (expected === 'ok') expect(response.status, `${key} as ${caller}`).toBeLessThan(300);
        else expect(response.status, `${key} as ${caller}`).toBe(expected);
      }
    }
    expect(seen).toContain('POST /v1/campaigns/{campaignId}/retry-failed');
    // The matrix paused and resumed the campaign: it runs.
    expect((await progress())['run'].status).toBe('running');
  });
});
