/**
 * Synthesises the stack for the infrastructure tests. Bundling dominates the cost (esbuild runs
 * once per function), and CDK caches bundles per process, so a test file synthesises a few
 * variants for the price of one.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { CompiledContent } from '../../functions/core/content.ts';
import { platformContentOf, type DisclosurePlatformProps } from '../../lib/disclosure-platform.ts';
import { DisclosureStack } from '../../lib/disclosure-stack.ts';

export const compiledContent = JSON.parse(
  readFileSync(new URL('../../.build/content.json', import.meta.url), 'utf8'),
) as CompiledContent;

/** Props of the reference deployment the tests check. */
export const referenceProps: DisclosurePlatformProps = {
  content: platformContentOf(compiledContent),
  senderAddress: 'privacy@notices.example.org',
  jwt: { issuer: 'https://issuer.example.org/', audience: ['disclosure'] },
  alarmEmail: 'oncall@example.org',
  sendQuotaPerSecond: 200,
  reminderDays: 5,
  choiceChangeLimit: 4,
  minAnswerDays: 21,
  autoPause: { bounceRatio: 0.02, complaintRatio: 0.0004, minSent: 500 },
};

/** A cdk-nag finding the pack checked and found acknowledged, with the resource it was on. */
export interface AcknowledgedFinding {
  readonly ruleId: string;
  readonly resourcePath: string;
}

export interface SynthResult {
  readonly app: App;
  readonly stack: DisclosureStack;
  readonly template: Template;
  readonly assembly: CloudAssembly;
  /** Unacknowledged AwsSolutions findings (errors and warnings); only when `nag` was asked for. */
  readonly nagViolations: readonly { ruleName: string; severity: string; resources: string[] }[];
  /** Acknowledged findings the pack hit; only when `nag` was asked for. */
  readonly acknowledgedFindings: readonly AcknowledgedFinding[];
}

type AcknowledgementProbe = { isAcknowledged(resource: IConstruct, ruleId: string): boolean };

/**
 * One output directory per test file: CDK keys its in-process bundling cache on it, so every
 * synth after the first reuses the bundles instead of running esbuild again.
 */
const outdir = mkdtempSync(path.join(tmpdir(), 'disclosure-cdk-'));

/** Synthesises a `DisclosureStack`; with `nag`, the AwsSolutions pack runs as a CDK validation plugin too. */
export const synthPlatform = (props: DisclosurePlatformProps, options: { nag?: boolean } = {}): SynthResult => {
  // The built-in CloudFormation schema validation costs ~20 s per synth; `npx cdk synth` still runs it.
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new DisclosureStack(app, 'Disclosure', { platform: props });
  const acknowledgedFindings: AcknowledgedFinding[] = [];
  let nagViolations: SynthResult['nagViolations'] = [];
  if (options.nag) {
    // Registered exactly as bin/app.ts does: an unacknowledged error makes synth throw.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const probe = new AwsSolutionsChecks(app);
    // `isAcknowledged` is private to cdk-nag's NagPack and has no public hook: reach it by name, and fail loudly if it moves.
    const original: unknown = Reflect.get(probe, 'isAcknowledged');
    if (typeof original !== 'function') throw new Error('cdk-nag NagPack no longer has isAcknowledged: update platform-synth.ts');
    const isAcknowledged: AcknowledgementProbe['isAcknowledged'] = (resource, ruleId) => Boolean(original.call(probe, resource, ruleId));
    const probeAcknowledged: AcknowledgementProbe['isAcknowledged'] = (resource, ruleId) => {
      const acknowledged = isAcknowledged(resource, ruleId);
      if (acknowledged) acknowledgedFindings.push({ ruleId, resourcePath: resource.node.path });
      return acknowledged;
    };
    Reflect.set(probe, 'isAcknowledged', probeAcknowledged);
    nagViolations = probe.validateScope(app).violations.map((violation) => ({
      ruleName: violation.ruleName,
      severity: violation.severity ?? 'error',
      resources: violation.violatingResources.map((resource) => resource.resourceLogicalId ?? resource.constructPath ?? '?'),
    }));
  }
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template as Record<string, unknown>);
  return { app, stack, template, assembly, nagViolations, acknowledgedFindings };
};

/** The bundled `index.mjs` of a function, read from the cloud assembly. */
export const bundleOf = (result: SynthResult, functionLogicalId: string): string => {
  const resource = result.template.toJSON()['Resources'][functionLogicalId] as { Metadata?: Record<string, string> } | undefined;
  const assetPath = resource?.Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error(`no asset for ${functionLogicalId}`);
  return readFileSync(path.join(result.assembly.directory, assetPath, 'index.mjs'), 'utf8');
};
