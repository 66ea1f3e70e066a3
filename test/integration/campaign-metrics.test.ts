/**
 * Campaign health as metrics, through `npm start`'s stack with Powertools Metrics: the embedded
 * metric format lines a local campaign writes to stdout carry every campaign metric with the
 * campaign as a dimension; and a campaign whose own complaint ratio passes its threshold pauses
 * itself (SES's mailbox simulator answers the complaint).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PowertoolsCampaignMetrics } from '../../functions/campaigns/powertools-metrics.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';
import { platformClient } from './platform-client.ts';

const clock = fixedClock('2026-12-01T09:00:00.000Z');
interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

describe('Campaign metrics on the local platform', () => {
  let platform: Platform;
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);

  const { api, accept } = platformClient(() => platform);
  const drain = () => (platform.env.shared.get('campaigns:workers') as { drain(): Promise<void> }).drain();

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{') && line.includes('"_aws"')) {
          lines.push(JSON.parse(line) as EmfLine);
          continue;
        }
      }
      return String(chunk).includes('"_aws"') ? true : write(chunk as string, ...(rest as []));
    }) as typeof process.stdout.write);
    platform = await startPlatform({
      port: 0,
      sesPort: 0,
      quiet: true,
      clock,
      // Throttle some calls so the sender's retries show; one complaint in six passes a 10 % threshold.
      ses: { faults: { throttleRate: 0.3, seed: 7 } },
      campaignHealth: { metrics: new PowertoolsCampaignMetrics({ serviceName: 'disclosure-local' }), reputation: { bounceRatio: 0.5, complaintRatio: 0.1, minSent: 1 } },
    });
    await accept('m-de', 'DE', 'm-de@customers.example');
    await accept('m-it', 'IT', 'm-it@customers.example');
    await accept('m-jp', 'JP', 'm-jp@customers.example');
    await accept('m-fr-bounce', 'FR', 'bounce@simulator.amazonses.com');
    await accept('m-nl-complaint', 'NL', 'complaint@simulator.amazonses.com');
    await accept('m-es-nocontact', 'ES', null);
  });
  afterAll(async () => {
    await platform?.stop();
    vi.restoreAllMocks();
  });

  it('writes every campaign metric with the campaign dimension, and pauses the campaign on its own complaint ratio', async () => {
    expect((await api('POST', '/v1/campaigns', 'admin', { noticeId: 'privacy', version: 2, dryRun: false })).status).toBe(202);
    await drain();
    // The simulator answers its mailboxes a second after the send.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await drain();

    // A choice through its emailed link.
    const store = (await (await fetch(`${platform.sesEndpoint}/store`)).json()) as { emails: { destination: { to: string[] }; body: { html?: string } }[] };
    const email = store.emails.find((e) => e.destination.to.includes('m-de@customers.example'))!;
    const link = /href="([^"]*\/choices\/[^"?]+)"/.exec(email.body.html ?? '')![1]!;
    const chosen = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'option=accept' });
    expect(chosen.status).toBe(200);
    await chosen.arrayBuffer();

    const progress = (await api('GET', '/v1/campaigns/privacy-v2', 'admin')).body;
    // The pause may overtake a chunk still retrying a throttled call: that one waits parked, not sent.
    expect(progress).toMatchObject({ failed: 1, bounced: 1, complained: 1, status: 'paused', run: { status: 'paused' } });
    expect(progress['sent']).toBeGreaterThanOrEqual(4);
    expect(progress['run'].reason).toMatch(/^complaint ratio \d+\.\d\d % \(1\/[45]\) above 10\.00 %: paused before SES's account review$/);

    const found = (metric: string, dimension?: [string, string]) =>
      lines.filter(
        (line) =>
          line['campaignId'] === 'privacy-v2' &&
          line._aws.CloudWatchMetrics.some((d) => d.Namespace === 'Disclosure' && d.Metrics.some((m) => m.Name === metric) && d.Dimensions.some((set) => set.includes('campaignId'))) &&
          (!dimension || line[dimension[0]] === dimension[1]),
      );
    const sum = (metric: string, dimension?: [string, string]) => found(metric, dimension).reduce((total, line) => total + Number(line[metric]), 0);
    expect(sum('sent')).toBe(progress['sent']);
    expect(sum('failed', ['reason', 'no-contact'])).toBe(1);
    expect(sum('bounced')).toBe(1);
    expect(sum('complained')).toBe(1);
    expect(sum('choices', ['option', 'accept'])).toBe(1);
    expect(sum('sesThrottled')).toBeGreaterThan(0);
    expect(found('pacerWaitMs').length).toBeGreaterThan(0);
    expect(found('pacerWaitMs')[0]!._aws.CloudWatchMetrics[0]!.Metrics[0]!.Unit).toBe('Milliseconds');
    expect(sum('autoPaused')).toBe(1);
    // Never an address in a metric line.
    expect(JSON.stringify(lines)).not.toContain('@');
  }, 60_000);
});
