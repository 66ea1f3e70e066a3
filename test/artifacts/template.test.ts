/**
 * The artifact step's comparison of role grants with recorded calls (`npm run test:artifacts`
 * runs the bundles; this checks only the verdicts it draws from what it saw).
 */
import { describe, expect, it } from 'vitest';
import { LAMBDAS } from '../../functions/manifest.ts';
import { compareGrants } from './template.ts';

describe('compareGrants', () => {
  const sender = LAMBDAS['campaign-sender'];

  it('passes when every call is granted and every grant called or needed without a call', () => {
    const verdict = compareGrants(sender, ['dynamodb:GetItem', 'ses:SendBulkEmail', 'logs:PutLogEvents', 'sqs:ReceiveMessage', 'kms:Decrypt'], ['dynamodb:GetItem', 'ses:SendBulkEmail']);
    expect(verdict.missing).toEqual([]);
    expect(verdict.unused).toEqual([]);
    expect(verdict.allowed.map(({ action }) => action)).toEqual(['logs:PutLogEvents', 'sqs:ReceiveMessage', 'kms:Decrypt']);
  });

  it('names a call the role does not grant (AccessDenied in AWS)', () => {
    expect(compareGrants(sender, ['dynamodb:GetItem'], ['dynamodb:GetItem', 'dynamodb:DeleteItem']).missing).toEqual(['dynamodb:DeleteItem']);
  });

  it('names a grant nothing calls', () => {
    expect(compareGrants(sender, ['dynamodb:GetItem', 'dynamodb:Scan', 'ses:SendEmail'], ['dynamodb:GetItem']).unused).toEqual(['dynamodb:Scan', 'ses:SendEmail']);
  });

  it('matches wildcard grants against calls', () => {
    expect(compareGrants(sender, ['dynamodb:*'], ['dynamodb:PutItem'])).toEqual({ missing: [], unused: [], allowed: [] });
  });

  it('allows the event source mapping\'s queue actions only to a queue-triggered function', () => {
    expect(compareGrants(sender, ['sqs:GetQueueUrl'], []).unused).toEqual([]);
    expect(compareGrants(LAMBDAS['campaigns-api'], ['sqs:SendMessage', 'sqs:GetQueueUrl'], ['sqs:SendMessage']).unused).toEqual(['sqs:GetQueueUrl']);
  });

  it('allows a call on a path the flow does not take only with its reason', () => {
    expect(compareGrants(sender, ['dynamodb:PutItem'], [], { 'dynamodb:PutItem': 'the crash path' }).allowed).toEqual([{ action: 'dynamodb:PutItem', reason: 'the crash path' }]);
  });
});
