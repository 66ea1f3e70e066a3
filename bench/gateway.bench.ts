/**
 * The local gateway's cost over the network path: autocannon against the gateway serving
 * `GET /v1/notices/privacy?country=DE` through the real notices handler, and against a bare
 * `node:http` server writing the very same status, headers and bytes. Same connections and
 * duration, rounds interleaved, autocannon in a child process so it does not share the servers'
 * event loop (`BENCH_LOAD_MODE=inprocess` runs it in this process, to see the skew).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../functions/core/clock.ts';
import { startGateway } from '../local/gateway.ts';
import { apiEvent, benchContext } from './lib/events.ts';
import { load, type LoadResult } from './lib/load.ts';
import type { BenchReport } from './lib/report.ts';
import { round } from './lib/stats.ts';

const PATH = '/v1/notices/privacy?country=DE';
const CONNECTIONS = 10;
const DURATION_SECONDS = 5;
const ROUNDS = 2;

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

export async function run(report: BenchReport): Promise<void> {
  const mode = process.env['BENCH_LOAD_MODE'] === 'inprocess' ? 'inprocess' : 'process';
  const { makeHandler } = await import('../functions/lambdas/notices.ts');
  const { compiledContent } = await import('../functions/content/artifact.ts');
  const notices = makeHandler({ content: compiledContent, clock: systemClock });
  const gateway = await startGateway({ handlers: { notices } });

  // The bare server answers with exactly what the gateway answered.
  const sample = await fetch(gateway.url + PATH);
  const body = Buffer.from(await sample.arrayBuffer());
  const headers: Record<string, string> = {};
  sample.headers.forEach((value, name) => {
    if (name !== 'date' && name !== 'connection' && name !== 'keep-alive') headers[name] = value;
  });
  const status = sample.status;
  const bare = createServer((req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  });
  const bareUrl = await listen(bare);
  // The gateway around a handler that returns the captured result: the gateway's own cost alone.
  const captured = await notices(apiEvent({ route: '/v1/notices/{noticeId}', pathParameters: { noticeId: 'privacy' }, query: { country: 'DE' } }), benchContext);
  const stubGateway = await startGateway({ handlers: { notices: async () => captured } });

  try {
    report.progress(`answer: ${status}, ${body.length} bytes; autocannon (${mode}) ${CONNECTIONS} connections, ${DURATION_SECONDS}s per run, ${ROUNDS} rounds`);
    const targets = [
      { name: 'gateway', url: gateway.url + PATH },
      { name: 'bare', url: bareUrl + PATH },
      { name: 'stub', url: stubGateway.url + PATH },
    ];
    for (const target of targets) await load({ url: target.url, connections: CONNECTIONS, durationSeconds: 1, mode });
    const results: Record<string, LoadResult[]> = { gateway: [], bare: [], stub: [] };
    for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex++) {
      const order = roundIndex % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const result = await load({ url: target.url, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, mode });
        report.progress(`round ${roundIndex + 1} ${target.name}: ${Math.round(result.requestsPerSecond)} req/s`);
        results[target.name]!.push(result);
      }
    }
    const gatewayRps = mean(results['gateway']!.map((result) => result.requestsPerSecond));
    const bareRps = mean(results['bare']!.map((result) => result.requestsPerSecond));
    const ratio = gatewayRps / bareRps;
    const stubRps = mean(results['stub']!.map((result) => result.requestsPerSecond));
    const failures = [...results['gateway']!, ...results['bare']!, ...results['stub']!].reduce((sum, result) => sum + result.errors + result.non2xx, 0);
    report.metric({ name: 'gateway throughput', value: Math.round(gatewayRps), unit: 'req/s' });
    report.metric({ name: 'bare node:http throughput', value: Math.round(bareRps), unit: 'req/s' });
    report.metric({ name: 'gateway/bare ratio', value: round(ratio), unit: 'x', target: '>= 0.8', met: ratio >= 0.8 });
    report.metric({ name: 'gateway with stub handler', value: Math.round(stubRps), unit: 'req/s', note: 'the gateway alone' });
    report.metric({ name: 'gateway-with-stub/bare ratio', value: round(stubRps / bareRps), unit: 'x' });
    report.metric({ name: 'gateway latency p50', value: mean(results['gateway']!.map((result) => result.latencyP50Ms)), unit: 'ms' });
    report.metric({ name: 'gateway latency p99', value: mean(results['gateway']!.map((result) => result.latencyP99Ms)), unit: 'ms' });
    report.metric({ name: 'bare latency p99', value: mean(results['bare']!.map((result) => result.latencyP99Ms)), unit: 'ms' });
    report.metric({ name: 'errors + non-2xx', value: failures, unit: 'responses', target: '0', met: failures === 0 });
    report.note(
      `gateway: GET ${PATH}, ${body.length}-byte answer, autocannon ${mode === 'process' ? 'in a child process' : 'in the server process'}, ` +
        `${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_SECONDS}s per server after a 1s warm-up each; req/s is the mean of the rounds.`,
    );
  } finally {
    await gateway.close();
    await stubGateway.close();
    await new Promise<void>((resolve) => {
      bare.close(() => resolve());
      bare.closeAllConnections();
    });
  }
}
