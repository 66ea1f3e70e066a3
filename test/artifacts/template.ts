/**
 * What the artifact step reads of a synthesized cloud assembly: each Lambda of the manifest with
 * its bundle directory, handler, runtime, environment and the IAM actions its role is granted;
 * and the comparison of granted with used actions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_NAMES, type LambdaName, type LambdaSpec } from '../../functions/manifest.ts';

type Json = any;

export interface SynthesizedFunction {
  readonly name: LambdaName;
  readonly logicalId: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** The asset directory the bundle was staged in (`cdk.out/asset.<hash>`). */
  readonly assetDir: string;
  /** The template's environment: literal strings as they are, intrinsics (Ref, GetAtt …) as objects. */
  readonly environment: Readonly<Record<string, unknown>>;
  /** Every IAM action the function's role is granted (its attached and inline policies). */
  readonly grantedActions: readonly string[];
}

const actionsOfDocument = (document: Json): string[] =>
  ((document?.Statement ?? []) as Json[]).filter((statement) => statement.Effect === 'Allow').flatMap((statement) => ([] as string[]).concat(statement.Action ?? []));

/** The role's logical id a `Role: {Fn::GetAtt: [id, Arn]}` names. */
const roleIdOf = (role: Json): string => {
  const id = role?.['Fn::GetAtt']?.[0];
  if (typeof id !== 'string') throw new Error(`a function's role is not a role of the template (${JSON.stringify(role)})`);
  return id;
};

/** Read the stack `stackName` of the cloud assembly in `cdkOut`. */
export const readSynthesizedFunctions = (cdkOut: string, stackName: string): SynthesizedFunction[] => {
  const template = JSON.parse(readFileSync(join(cdkOut, `${stackName}.template.json`), 'utf8')) as Json;
  const assets = JSON.parse(readFileSync(join(cdkOut, `${stackName}.assets.json`), 'utf8')) as Json;
  const resources = Object.entries(template.Resources as Record<string, Json>);
  const policiesOf = (roleId: string): string[] =>
    resources
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy' && (resource.Properties.Roles as Json[]).some((role) => role?.Ref === roleId))
      .flatMap(([, resource]) => actionsOfDocument(resource.Properties.PolicyDocument));
  const functions: SynthesizedFunction[] = [];
  for (const [logicalId, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = LAMBDA_NAMES.find((candidate) => resource.Properties.Description === `Disclosure ${candidate}`);
    // CDK's own helper functions (log retention, custom resources) are not ours.
    if (!name) continue;
    const key = String(resource.Properties.Code?.S3Key ?? '');
    const hash = key.replace(/\.zip$/, '');
    const source = assets.files?.[hash]?.source;
    if (!source || source.packaging !== 'zip') throw new Error(`${name}: no zip asset ${hash} in ${stackName}.assets.json`);
    const roleId = roleIdOf(resource.Properties.Role);
    const role = template.Resources[roleId];
    if (role?.Properties?.ManagedPolicyArns?.length) throw new Error(`${name}: its role has managed policies, which the comparison cannot read`);
    const inline = ((role?.Properties?.Policies ?? []) as Json[]).flatMap((policy) => actionsOfDocument(policy.PolicyDocument));
    functions.push({
      name,
      logicalId,
      runtime: resource.Properties.Runtime,
      handler: resource.Properties.Handler,
      memoryMb: resource.Properties.MemorySize,
      timeoutSeconds: resource.Properties.Timeout,
      assetDir: join(cdkOut, source.path),
      environment: resource.Properties.Environment?.Variables ?? {},
      grantedActions: [...new Set([...policiesOf(roleId), ...inline])].sort(),
    });
  }
  const missing = LAMBDA_NAMES.filter((name) => !functions.some((fn) => fn.name === name));
  if (missing.length > 0) throw new Error(`the template has no function for ${missing.join(', ')}`);
  return LAMBDA_NAMES.map((name) => functions.find((fn) => fn.name === name)!);
};

/**
 * Grants a function needs that no call of its code makes, so the flow cannot see them used: each
 * action pattern, the functions it applies to, and who uses it instead. Nothing else may be
 * granted unused.
 */
export const GRANTED_NOT_CALLED: readonly { readonly pattern: RegExp; readonly appliesTo: (spec: LambdaSpec) => boolean; readonly reason: string }[] = [
  { pattern: /^logs:(CreateLogStream|PutLogEvents)$/, appliesTo: () => true, reason: "the Lambda service writes the function's own log group with its role" },
  {
    pattern: /^kms:(Decrypt|Encrypt|ReEncrypt\*|GenerateDataKey\*)$/,
    appliesTo: (spec) => spec.ledger.length > 0 || spec.grants.includes('token-secret:read'),
    reason: "DynamoDB and Secrets Manager use the customer-managed data key on the caller's behalf (the table and the secret are encrypted with it)",
  },
  {
    pattern: /^sqs:(ReceiveMessage|ChangeMessageVisibility|GetQueueUrl|DeleteMessage|GetQueueAttributes)$/,
    appliesTo: (spec) => spec.trigger.kind === 'queue',
    reason: "the SQS event source mapping polls and deletes the trigger queue's messages with the function's role",
  },
  {
    pattern: /^sqs:(GetQueueAttributes|GetQueueUrl)$/,
    appliesTo: (spec) => spec.trigger.kind === 'schedule',
    reason: "the Lambda service sends a failed asynchronous invocation to the on-failure destination queue with the function's role",
  },
  { pattern: /^xray:(PutTraceSegments|PutTelemetryRecords)$/, appliesTo: () => true, reason: 'the Lambda service sends the traces when tracing is on' },
];

/** Why `spec`'s role needs a granted action without a call, if it is one of those. */
export const reasonGrantedNotCalled = (action: string, spec: LambdaSpec): string | undefined =>
  GRANTED_NOT_CALLED.find(({ pattern, appliesTo }) => pattern.test(action) && appliesTo(spec))?.reason;

/** An IAM action pattern (`dynamodb:Get*`) matches an action. */
const matches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(action);

export interface GrantComparison {
  /** Called by the code, granted to no statement of the role: the call fails with AccessDenied in AWS. */
  readonly missing: readonly string[];
  /** Granted, never called, and not one of `GRANTED_NOT_CALLED`. */
  readonly unused: readonly string[];
  /** Granted, not called, needed for the reason given. */
  readonly allowed: readonly { readonly action: string; readonly reason: string }[];
}

/**
 * Compare what a role grants with what the function called. Only the flow's calls count as used;
 * `exercisedElsewhere` lists actions the code calls on a path the flow does not take, each with
 * that path, so they are neither missing nor unused.
 */
export const compareGrants = (
  spec: LambdaSpec,
  granted: readonly string[],
  used: readonly string[],
  exercisedElsewhere: Readonly<Record<string, string>> = {},
): GrantComparison => {
  const missing = used.filter((action) => !granted.some((pattern) => matches(pattern, action)));
  const unused: string[] = [];
  const allowed: { action: string; reason: string }[] = [];
  for (const action of granted) {
    if (used.some((call) => matches(action, call))) continue;
    const reason = reasonGrantedNotCalled(action, spec) ?? exercisedElsewhere[action];
    if (reason) allowed.push({ action, reason });
    else unused.push(action);
  }
  return { missing, unused, allowed };
};
