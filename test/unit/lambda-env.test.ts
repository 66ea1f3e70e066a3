import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { LambdaEnvironmentError, lambdaEnvironment } from '../../functions/lambda-env.ts';
import { LAMBDAS, type LambdaEnvironment } from '../../functions/manifest.ts';

const SENDER_ENV = {
  TABLE_NAME: 'ledger',
  CONFIGURATION_SET: 'notices',
  SENDER_ADDRESS: 'privacy@example.org',
  SEND_QUOTA_PER_SECOND: '14',
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token',
  PUBLIC_BASE_URL: 'https://notices.example.org',
};

const stubAll = (values: Record<string, string | undefined>): void => {
  for (const [key, value] of Object.entries(values)) vi.stubEnv(key, value);
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Function: lambdaEnvironment', () => {
  it('parses exactly the manifest keys of the Lambda, typed', () => {
    // Arrange
    stubAll({ ...SENDER_ENV, EVENT_BUS_NAME: 'not-the-senders' });

    // Act
    const env = lambdaEnvironment(LAMBDAS['campaign-sender']);

    // Assess
    expect(env).toEqual({ ...SENDER_ENV, SEND_QUOTA_PER_SECOND: 14 });
    expect(Object.keys(env)).not.toContain('EVENT_BUS_NAME');
  });

  it('types each variable by its manifest spec', () => {
    stubAll(SENDER_ENV);

    const env = lambdaEnvironment(LAMBDAS['campaign-sender']);

    expectTypeOf(env.SEND_QUOTA_PER_SECOND).toEqualTypeOf<number>();
    expectTypeOf(env.TABLE_NAME).toEqualTypeOf<string>();
    expectTypeOf<LambdaEnvironment<'campaigns-api'>['INFORMATIONAL_EMAILS']>().toEqualTypeOf<boolean>();
  });

  it('reads only the optional origin-verify values for the notices Lambda (empty: the check is off)', () => {
    expect(lambdaEnvironment(LAMBDAS['notices'])).toEqual({ ORIGIN_VERIFY_VALUES: '' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('fails fast naming a required variable that is %s', (_case, value) => {
    stubAll({ ...SENDER_ENV, CONFIGURATION_SET: value });

    const read = (): unknown => lambdaEnvironment(LAMBDAS['campaign-sender']);

    expect(read).toThrow(LambdaEnvironmentError);
    expect(read).toThrow('CONFIGURATION_SET is not set');
  });

  it('names a variable that is not a number', () => {
    stubAll({ ...SENDER_ENV, SEND_QUOTA_PER_SECOND: 'fourteen' });

    let caught: unknown;
    try {
      lambdaEnvironment(LAMBDAS['campaign-sender']);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(LambdaEnvironmentError);
    expect((caught as LambdaEnvironmentError).variable).toBe('SEND_QUOTA_PER_SECOND');
    expect((caught as LambdaEnvironmentError).message).toBe('SEND_QUOTA_PER_SECOND must be a number');
    expect((caught as LambdaEnvironmentError).name).toBe('LambdaEnvironmentError');
  });

  it('applies the defaults of optional variables: REMINDER_DAYS 7, INFORMATIONAL_EMAILS false', () => {
    stubAll({ TABLE_NAME: 'ledger', SEND_QUEUE_URL: 'https://sqs/send', EVENT_BUS_NAME: 'bus', REMINDER_DAYS: undefined, SENDER_IDENTITY: 'example.org', SEND_QUOTA_PER_SECOND: '14' });
    expect(lambdaEnvironment(LAMBDAS['campaign-scheduler']).REMINDER_DAYS).toBe(7);

    stubAll({ PLANNER_QUEUE_URL: 'https://sqs/planner', PUBLIC_BASE_URL: 'https://notices.example.org', INFORMATIONAL_EMAILS: undefined });
    expect(lambdaEnvironment(LAMBDAS['campaigns-api']).INFORMATIONAL_EMAILS).toBe(false);
  });

  it('reads booleans as true or false only', () => {
    stubAll({ TABLE_NAME: 'ledger', PLANNER_QUEUE_URL: 'https://sqs/planner', SEND_QUEUE_URL: 'https://sqs/send', PUBLIC_BASE_URL: 'https://notices.example.org', INFORMATIONAL_EMAILS: 'true', SENDER_IDENTITY: 'example.org', SEND_QUOTA_PER_SECOND: '14' });
    expect(lambdaEnvironment(LAMBDAS['campaigns-api']).INFORMATIONAL_EMAILS).toBe(true);

    vi.stubEnv('INFORMATIONAL_EMAILS', 'sometimes');
    expect(() => lambdaEnvironment(LAMBDAS['campaigns-api'])).toThrow('INFORMATIONAL_EMAILS must be a boolean');
  });
});
