/**
 * One account may hold several Disclosure stacks (stages, or one per region): every name a
 * resource is given explicitly must differ between them. CloudFront, IAM, S3 and CloudFront-scope
 * WAF names are account-global (partition-global for S3), so stacks in two regions must not
 * repeat them; every other explicit name is regional, so two stacks in one region must not either.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DisclosureStack } from '../../lib/disclosure-stack.ts';
import { referenceProps } from './platform-synth.ts';
import { PlatformPropsError, type DisclosurePlatformProps } from '../../lib/disclosure-platform-props.ts';

type Json = any;

/** Resource types whose names are unique per account (or partition), whatever the region. */
const ACCOUNT_GLOBAL = /^AWS::(CloudFront|IAM|S3)::|^AWS::WAFv2::/;

/** The properties that name a resource itself (not a metric, an attribute or an index it holds). */
const NAME_KEYS = /^(Name|RoleName|ManagedPolicyName|BucketName|QueueName|TopicName|TableName|FunctionName|LogGroupName|EventBusName|AlarmName|DashboardName|SecretName|AliasName|ConfigurationSetName|ApiName|StateMachineName)$/;
/** Nested configurations whose `Name` names the resource (CloudFront policies). */
const NAMED_CONFIGS = /^(CachePolicyConfig|OriginRequestPolicyConfig|ResponseHeadersPolicyConfig|FunctionConfig)$/;
/**
 * Names that need not be unique: an inline policy is named within its role, an authoriser within
 * its API, and HTTP APIs are told apart by their generated ids.
 */
const NOT_SCOPED_BY_ACCOUNT = /^AWS::(IAM::Policy|ApiGatewayV2::(Api|Authorizer))$/;
/** A reference to another resource (`FunctionName: {Fn::GetAtt: …}`) names nothing itself. */
const isReference = (value: Json): boolean => typeof value === 'object' && value !== null && ('Ref' in value || 'Fn::GetAtt' in value || 'Fn::ImportValue' in value);

/** Every explicit name of a resource, as written in the template (a literal, or the intrinsic building it). */
const namesOf = (properties: Json): [string, string][] =>
  Object.entries((properties ?? {}) as Record<string, Json>).flatMap(([key, value]): [string, string][] => {
    if (NAME_KEYS.test(key) && value !== undefined && !isReference(value)) return [[key, JSON.stringify(value)]];
    if (NAMED_CONFIGS.test(key) && value?.Name !== undefined && !isReference(value.Name)) return [[`${key}.Name`, JSON.stringify(value.Name)]];
    return [];
  });

const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'disclosure-names-')), context: { 'aws:cdk:enable-asset-metadata': false } });
// The us-east-1 stacks create their CloudFront web ACL too (only possible there), so its name is compared as well.
const stackIn = (id: string, region: string, extra: Partial<DisclosurePlatformProps> = {}) =>
  new DisclosureStack(app, id, { env: { account: '111111111111', region }, platform: { ...referenceProps, ...(region === 'us-east-1' ? { webAcl: { rateLimitPer5Minutes: 2000 } } : {}), ...extra } });
const CUSTOM_DOMAIN = { domainName: 'notices.example.org', certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/0f5a3b2c-1111-2222-3333-444455556666' };
const stacks = {
  a: stackIn('DisclosureA', 'eu-west-1'),
  b: stackIn('DisclosureB', 'us-east-1'),
  c: stackIn('DisclosureC', 'eu-west-1'),
  // Both optional edge props: the web ACL it creates and a custom domain, checked by cdk-nag below.
  d: stackIn('DisclosureD', 'us-east-1', { customDomain: CUSTOM_DOMAIN, publicBaseUrl: 'https://notices.example.org' }),
};
const assembly = app.synth();
const templateOf = (stack: DisclosureStack): Json => assembly.getStackByName(stack.stackName).template;

/** `type logicalId property → name` of every explicitly named resource of `stack` matching `types`. */
const explicitNames = (stack: DisclosureStack, types: RegExp): Map<string, string> => {
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(templateOf(stack).Resources as Record<string, Json>)) {
    if (!types.test(resource.Type) || NOT_SCOPED_BY_ACCOUNT.test(resource.Type)) continue;
    for (const [property, name] of namesOf(resource.Properties)) names.set(`${resource.Type} ${id} ${property}`, name);
  }
  return names;
};

describe('Names of two Disclosure stacks in one account', () => {
  it('repeats no account-global name between stacks in two regions', () => {
    const a = explicitNames(stacks.a, ACCOUNT_GLOBAL);
    const b = explicitNames(stacks.b, ACCOUNT_GLOBAL);
    // CloudFront's function and policies and the web ACL are named explicitly, after the stack and its region.
    expect([...new Set([...b.keys()].map((key) => key.split(' ')[0]))].sort()).toEqual(['AWS::CloudFront::CachePolicy', 'AWS::CloudFront::Function', 'AWS::CloudFront::OriginRequestPolicy', 'AWS::CloudFront::ResponseHeadersPolicy', 'AWS::WAFv2::WebACL']);
    const repeated = [...a.values()].filter((name) => [...b.values()].includes(name));
    expect(repeated).toEqual([]);
    for (const name of a.values()) expect(name).toMatch(/DisclosureA/);
    for (const name of b.values()) expect(name).toMatch(/DisclosureB/);
  });

  it.each([['a', 'c'], ['b', 'd']] as const)('repeats no explicit name at all between two stacks in one region (%s, %s)', (first, second) => {
    const one = explicitNames(stacks[first], /./);
    const other = explicitNames(stacks[second], /./);
    expect(one.size).toBeGreaterThan(3);
    const repeated = [...one.entries()].filter(([, name]) => [...other.values()].includes(name)).map(([key, name]) => `${key} = ${name}`);
    expect(repeated).toEqual([]);
  });

  it('leaves the IAM roles and the buckets unnamed, so CloudFormation generates unique names', () => {
    for (const [, resource] of Object.entries(templateOf(stacks.a).Resources as Record<string, Json>)) {
      if (resource.Type === 'AWS::IAM::Role') expect(resource.Properties.RoleName).toBeUndefined();
      if (resource.Type === 'AWS::S3::Bucket') expect(resource.Properties.BucketName).toBeUndefined();
    }
  });
});

describe('Optional edge props', () => {
  const resources = Object.values(templateOf(stacks.d).Resources as Record<string, Json>);
  const distribution = resources.find((resource) => resource.Type === 'AWS::CloudFront::Distribution').Properties.DistributionConfig;

  it('customDomain: the alias and its us-east-1 certificate, TLSv1.2_2021 at least', () => {
    expect(distribution.Aliases).toEqual([CUSTOM_DOMAIN.domainName]);
    expect(distribution.ViewerCertificate).toEqual({ AcmCertificateArn: CUSTOM_DOMAIN.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    // Without it: the default certificate, and no alias.
    const plain = Object.values(templateOf(stacks.b).Resources as Record<string, Json>).find((resource) => resource.Type === 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(plain.Aliases).toBeUndefined();
    expect(plain.ViewerCertificate).toBeUndefined();
  });

  it('webAcl: a CloudFront-scope web ACL with a blocking per-IP rate rule, attached to the distribution', () => {
    const [id, acl] = Object.entries(templateOf(stacks.d).Resources as Record<string, Json>).find(([, resource]) => resource.Type === 'AWS::WAFv2::WebACL')!;
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Properties.Rules).toEqual([expect.objectContaining({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 2000, EvaluationWindowSec: 300 } },
    })]);
    expect(distribution.WebACLId).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    // No web ACL unless asked for.
    expect(Object.values(templateOf(stacks.a).Resources as Record<string, Json>).some((resource) => resource.Type === 'AWS::WAFv2::WebACL')).toBe(false);
  });

  it('is cdk-nag clean with both, without the no-WAF and default-certificate acknowledgements', () => {
    const violations = new AwsSolutionsChecks(app).validateScope(stacks.d).violations;
    expect(violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`)).toEqual([]);
    const acknowledged = JSON.stringify(resources.find((resource) => resource.Type === 'AWS::CloudFront::Distribution').Metadata ?? {});
    expect(acknowledged).not.toMatch(/AwsSolutions-CFR2|AwsSolutions-CFR4/);
  });

  it('webAcl refuses a stack outside us-east-1, where CloudFront web ACLs cannot be created', () => {
    const other = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'disclosure-waf-')) });
    expect(() => new DisclosureStack(other, 'Elsewhere', { env: { account: '111111111111', region: 'eu-west-1' }, platform: { ...referenceProps, webAcl: { rateLimitPer5Minutes: 2000 } } }))
      .toThrow(PlatformPropsError);
  });
});
