/**
 * In-process serving cost of the notices Lambda: the full handler stack (middy, validation,
 * resolution, negotiation, memoised response) against a bare handler that returns the very same
 * precomputed result, measured side by side and interleaved in one process.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { systemClock } from '../functions/core/clock.ts';
import { httpStack, type HttpHandler } from '../functions/http/middleware.ts';
import { apiEvent, benchContext } from './lib/events.ts';
import type { BenchReport } from './lib/report.ts';
import { round } from './lib/stats.ts';
import { interleave } from './lib/timing.ts';

type Handler = (event: APIGatewayProxyEventV2, context: typeof benchContext) => Promise<unknown>;

/** The four requests of the "must show" list. */
const variants = [
  apiEvent({ route: '/v1/notices/{noticeId}', pathParameters: { noticeId: 'privacy' }, query: { country: 'DE' } }),
  apiEvent({ route: '/v1/notices/{noticeId}', pathParameters: { noticeId: 'privacy' }, query: { country: 'JP' } }),
  apiEvent({ route: '/v1/notices/{noticeId}', pathParameters: { noticeId: 'privacy' }, headers: { 'cloudfront-viewer-country': 'KR' } }),
  apiEvent({ route: '/v1/notices/{noticeId}', pathParameters: { noticeId: 'privacy' }, headers: { 'accept-language': 'ja-JP,en;q=0.5' } }),
];

// A Lambda never sees the same event object twice: rotate through distinct copies so that no
// identity-keyed cache or monomorphic inline cache flatters either contender.
const POOL_SIZE = 8192;
const pool = Array.from({ length: POOL_SIZE }, (_, i) => {
  const event = structuredClone(variants[i & 3]!);
  event.requestContext.requestId = `bench-${i}`;
  return event;
});

export async function run(report: BenchReport): Promise<void> {
  const { makeHandler } = await import('../functions/lambdas/notices.ts');
  const { compiledContent } = await import('../functions/content/artifact.ts');
  const full = makeHandler({ content: compiledContent, clock: systemClock });
  const precomputed = await Promise.all(variants.map((event) => full(event, benchContext)));
  for (const [index, result] of precomputed.entries()) {
    const status = (result as { statusCode?: number }).statusCode;
    if (status !== 200) report.note(`request ${index} answered ${status}: the comparison is not like for like`);
  }
  // One bare handler per request so that every contender pays the same dispatch.
  const bare: HttpHandler[] = precomputed.map((result) => async () => result);
  // The shared middy stack around the bare handler, configured as the notices handler configures it
  // (no early-timeout timer): the floor for a memo miss, which goes through the stack.
  const floor: Handler[] = bare.map((handler) => httpStack(handler, { earlyTimeout: false }));

  report.progress('warming up, then 8 interleaved rounds of 20,000 calls per contender');
  const [fullStack, bareHandler, stackFloor, fullServed, bareServed] = await interleave(
    [
      { name: 'full', call: (i) => full(pool[i & (POOL_SIZE - 1)]!, benchContext) },
      { name: 'bare', call: (i) => bare[i & 3]!(pool[i & (POOL_SIZE - 1)]!, benchContext) },
      { name: 'floor', call: (i) => floor[i & 3]!(pool[i & (POOL_SIZE - 1)]!, benchContext) },
      // As the Lambda runtime serves them: every result is JSON-serialised for the runtime API.
      { name: 'full-served', call: async (i) => JSON.stringify(await full(pool[i & (POOL_SIZE - 1)]!, benchContext)) },
      { name: 'bare-served', call: async (i) => JSON.stringify(await bare[i & 3]!(pool[i & (POOL_SIZE - 1)]!, benchContext)) },
    ],
    { warmupCalls: 20_000, rounds: 8, callsPerRound: 20_000, latencySamplesPerRound: 5_000 },
  );
  const ratio = fullStack!.opsPerSecond / bareHandler!.opsPerSecond;
  report.metric({ name: 'full stack throughput', value: Math.round(fullStack!.opsPerSecond), unit: 'req/s' });
  report.metric({ name: 'bare handler throughput', value: Math.round(bareHandler!.opsPerSecond), unit: 'req/s' });
  report.metric({ name: 'full/bare throughput ratio', value: round(ratio), unit: 'x', target: '>= 0.9', met: ratio >= 0.9 });
  const servedRatio = fullServed!.opsPerSecond / bareServed!.opsPerSecond;
  report.metric({
    name: 'full/bare ratio, result serialised as the runtime does',
    value: round(servedRatio),
    unit: 'x',
    target: '>= 0.9',
    met: servedRatio >= 0.9,
    note: 'both sides pay the JSON serialisation the Lambda runtime applies to every result',
  });
  const floorRatio = stackFloor!.opsPerSecond / bareHandler!.opsPerSecond;
  report.metric({ name: 'middy stack over bare handler', value: Math.round(stackFloor!.opsPerSecond), unit: 'req/s' });
  report.metric({ name: 'middy-stack-floor/bare ratio', value: round(floorRatio), unit: 'x', note: 'the ceiling for any request that goes through httpStack (earlyTimeout off, as in the notices handler)' });
  report.metric({ name: 'full stack p50', value: round(fullStack!.latency.p50), unit: 'ms' });
  report.metric({ name: 'full stack p99', value: round(fullStack!.latency.p99), unit: 'ms', target: '<= 1', met: fullStack!.latency.p99 <= 1 });
  report.metric({ name: 'bare handler p50', value: round(bareHandler!.latency.p50), unit: 'ms' });
  report.metric({ name: 'bare handler p99', value: round(bareHandler!.latency.p99), unit: 'ms' });
  report.metric({ name: 'middy stack floor p50', value: round(stackFloor!.latency.p50), unit: 'ms' });
  report.note(
    'notices: throughput = median of 8 rounds of 20,000 awaited calls (no timer inside the loop); latency = 40,000 individually ' +
      'timed calls (process.hrtime.bigint); requests rotate DE, JP, geo KR, Accept-Language ja over 8,192 distinct event objects. The "serialised" ratio ' +
      'adds to both sides the JSON.stringify the Lambda runtime applies to every result before returning it.',
  );
}
