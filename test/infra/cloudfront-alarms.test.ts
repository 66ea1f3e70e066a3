/**
 * CloudFront's alarms (#14): its metrics exist in us-east-1 only, so a platform stack in
 * us-east-1 alarms on them itself, and one elsewhere gets the us-east-1 companion stack
 * (lib/edge-alarms-stack.ts) with its own page and ticket topics, the same subscription, stable
 * names, OK actions. cdk-nag (AwsSolutions) runs on both stacks.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DisclosureStack } from '../../lib/disclosure-stack.ts';
import { DisclosureEdgeAlarmsStack } from '../../lib/edge-alarms-stack.ts';
import { edgeAlarmPlacement } from '../../lib/platform-settings.ts';
import { referenceProps } from './platform-synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;
const outdir = mkdtempSync(path.join(tmpdir(), 'disclosure-cdk-edge-'));
const ACCOUNT = '123456789012';

/** The app as bin/app.ts builds it for a region, with cdk-nag's errors collected instead of thrown. */
const synthFor = (region: string) => {
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const placement = edgeAlarmPlacement(region, 'production');
  const platform = new DisclosureStack(app, 'Disclosure-production', {
    platform: referenceProps,
    env: { account: ACCOUNT, region },
    crossRegionReferences: placement === 'companion',
  });
  const edge = placement === 'companion'
    ? new DisclosureEdgeAlarmsStack(app, 'Disclosure-production-EdgeAlarms', {
        env: { account: ACCOUNT, region: 'us-east-1' },
        distribution: platform.platform.distribution,
        platformStackName: platform.stackName,
        alarmEmail: referenceProps.alarmEmail,
      })
    : undefined;
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  const violations = nag.validateScope(app).violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId).join(', ')}`);
  const assembly = app.synth();
  const templateOf = (name: string) => Template.fromJSON(assembly.getStackByName(name).template as Record<string, unknown>);
  return { platform: templateOf(platform.stackName), edge: edge ? templateOf(edge.stackName) : undefined, violations, placement };
};

const cloudFrontAlarms = (template: Template) =>
  Object.values(template.toJSON()['Resources'] as Resources)
    .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(resource.Properties).includes('AWS/CloudFront'));

const expectCloudFrontAlarms = (template: Template, distributionId: unknown) => {
  const alarms = cloudFrontAlarms(template);
  expect(alarms.map((alarm) => alarm.Properties!['AlarmName']).sort()).toEqual([
    'Disclosure-production-page-CloudFront5xxErrorRate',
    'Disclosure-production-ticket-CloudFront4xxErrorRate',
  ]);
  const page = alarms.find((alarm) => alarm.Properties!['AlarmName'].includes('5xx'))!.Properties!;
  expect(page).toMatchObject({ Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate', Statistic: 'Average', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  expect(page['Dimensions']).toEqual(expect.arrayContaining([{ Name: 'Region', Value: 'Global' }, { Name: 'DistributionId', Value: distributionId }]));
  const ticket = alarms.find((alarm) => alarm.Properties!['AlarmName'].includes('4xx'))!.Properties!;
  expect(ticket['Threshold']).toBe(10);
  expect(JSON.stringify(ticket['Metrics'])).toContain('4xxErrorRate');
  for (const alarm of alarms) {
    expect(alarm.Properties!['AlarmActions'], alarm.Properties!['AlarmName']).toHaveLength(1);
    expect(alarm.Properties!['OKActions']).toEqual(alarm.Properties!['AlarmActions']);
  }
  return { page, ticket };
};

describe('CloudFront alarms', () => {
  it('places them in the stack in us-east-1, in a companion stack in us-east-1 elsewhere, and refuses an unpinned production region', () => {
    expect(edgeAlarmPlacement('us-east-1', 'production')).toBe('in-stack');
    expect(edgeAlarmPlacement('eu-west-1', 'production')).toBe('companion');
    expect(edgeAlarmPlacement(undefined, 'development')).toBe('none');
    expect(() => edgeAlarmPlacement(undefined, 'production')).toThrow(/region/);
    expect(() => edgeAlarmPlacement(undefined, 'staging')).toThrow(/region/);
  });

  it('in us-east-1: the platform stack alarms on its own distribution, page and ticket topics, cdk-nag clean', () => {
    const { platform, edge, violations } = synthFor('us-east-1');
    expect(edge).toBeUndefined();
    const distributionId = Object.entries(platform.toJSON()['Resources'] as Resources).find(([, resource]) => resource.Type === 'AWS::CloudFront::Distribution')![0];
    const { page, ticket } = expectCloudFrontAlarms(platform, { Ref: distributionId });
    expect(JSON.stringify(page['AlarmActions'])).toContain('AlarmTopic');
    expect(JSON.stringify(ticket['AlarmActions'])).toContain('TicketTopic');
    expect(violations).toEqual([]);
  }, 120_000);

  it('elsewhere: none in the platform stack; the us-east-1 stack has them on the distribution id, with its own subscribed topics, cdk-nag clean', () => {
    const { platform, edge, violations } = synthFor('eu-west-1');
    expect(cloudFrontAlarms(platform)).toEqual([]);
    expect(edge).toBeDefined();
    // The distribution id comes across regions through the SSM parameter CDK writes in us-east-1 (read by its ExportsReader).
    const { page, ticket } = expectCloudFrontAlarms(edge!, { 'Fn::GetAtt': [expect.stringMatching(/^ExportsReader/), expect.stringMatching(/^\/cdk\/exports\/Disclosure-production-EdgeAlarms\/.*PlatformDistribution/)] });
    expect(JSON.stringify(page['AlarmActions'])).toContain('AlarmTopic');
    expect(JSON.stringify(ticket['AlarmActions'])).toContain('TicketTopic');
    const subscriptions = Object.values(edge!.toJSON()['Resources'] as Resources).filter((resource) => resource.Type === 'AWS::SNS::Subscription');
    expect(subscriptions.map((subscription) => subscription.Properties!['Endpoint'])).toEqual([referenceProps.alarmEmail, referenceProps.alarmEmail]);
    edge!.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    expect(violations).toEqual([]);
  }, 120_000);
});
