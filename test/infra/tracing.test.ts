/**
 * Tracing (#14): with the `tracing` prop every function runs with active X-Ray tracing, its role
 * may put trace segments, and every function but notices gets `POWERTOOLS_TRACE_ENABLED=true`;
 * without it none of that. Either way the tracer ships as `tracer.mjs` beside the bundle of each
 * Powertools function (imported only with tracing on), never inside `index.mjs`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LAMBDA_NAMES, lambdaSpec } from '../../functions/manifest.ts';
import { referenceProps, synthPlatform, type SynthResult } from './platform-synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, string> }>;

let on: SynthResult;
let off: SynthResult;

beforeAll(() => {
  on = synthPlatform({ ...referenceProps, tracing: true });
  off = synthPlatform({ ...referenceProps, tracing: false });
}, 180_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

const functionsOf = (result: SynthResult) => {
  const resources = result.template.toJSON()['Resources'] as Resources;
  return LAMBDA_NAMES.map((name) => {
    const [logicalId, resource] = Object.entries(resources).find(([, candidate]) => candidate.Type === 'AWS::Lambda::Function' && candidate.Properties!['Description'] === `Disclosure ${name}`)!;
    const roleId = (resource.Properties!['Role'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const actions = Object.values(resources)
      .filter((policy) => policy.Type === 'AWS::IAM::Policy' && (policy.Properties!['Roles'] as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties!['PolicyDocument'].Statement as { Action: string | string[] }[])
      .flatMap((statement) => ([] as string[]).concat(statement.Action));
    const assetDir = path.join(result.assembly.directory, resource.Metadata!['aws:asset:path']!);
    return { name, logicalId, properties: resource.Properties!, actions, assetDir };
  });
};

describe('Tracing', () => {
  it('with tracing on: active tracing, the X-Ray grants and POWERTOOLS_TRACE_ENABLED=true on every function (notices: no Powertools)', () => {
    for (const fn of functionsOf(on)) {
      expect(fn.properties['TracingConfig'], fn.name).toEqual({ Mode: 'Active' });
      expect(fn.actions, fn.name).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
      const variables = fn.properties['Environment']?.Variables ?? {};
      expect(variables['POWERTOOLS_TRACE_ENABLED'], fn.name).toBe(lambdaSpec(fn.name).powertools ? 'true' : undefined);
    }
  });

  it('with tracing off: no active tracing, no X-Ray grant, POWERTOOLS_TRACE_ENABLED=false', () => {
    for (const fn of functionsOf(off)) {
      expect(fn.properties['TracingConfig']?.Mode ?? 'PassThrough', fn.name).not.toBe('Active');
      expect(fn.actions.filter((action) => action.startsWith('xray:')), fn.name).toEqual([]);
      const variables = fn.properties['Environment']?.Variables ?? {};
      expect(variables['POWERTOOLS_TRACE_ENABLED'], fn.name).toBe(lambdaSpec(fn.name).powertools ? 'false' : undefined);
    }
  });

  it('ships the tracer beside each Powertools bundle, never inside one, and not with notices', () => {
    for (const fn of functionsOf(off)) {
      const bundle = readFileSync(path.join(fn.assetDir, 'index.mjs'), 'utf8');
      expect(bundle, fn.name).not.toMatch(/XRaySDKInstrumentation|AWSXRay/);
      expect(existsSync(path.join(fn.assetDir, 'tracer.mjs')), fn.name).toBe(lambdaSpec(fn.name).powertools);
    }
  });

  it('the shipped tracer.mjs loads and captures an SDK client', async () => {
    const sender = functionsOf(on).find((fn) => fn.name === 'campaign-sender')!;
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    const module = (await import(pathToFileURL(path.join(sender.assetDir, 'tracer.mjs')).href)) as { createTracer: () => { captureAWSv3Client<C>(client: C): C; isTracingEnabled(): boolean } };
    const tracer = module.createTracer();
    expect(tracer.isTracingEnabled()).toBe(true);
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    const client = tracer.captureAWSv3Client(new SQSClient({ region: 'eu-west-1' }));
    expect(client.middlewareStack.identify().some((name) => name.includes('XRaySDKInstrumentation'))).toBe(true);
  });
});
