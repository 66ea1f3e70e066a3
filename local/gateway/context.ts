/**
 * The Lambda context the gateway passes with each event: what it says about the function is
 * built once per Lambda, so a request allocates one small object.
 */
import type { Context } from 'aws-lambda';
import type { HttpLambdaName } from '../../functions/manifest.ts';

/** The account id local ARNs and events carry. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The timeout `getRemainingTimeInMillis` counts down from, as the deployed functions have. */
export const LAMBDA_TIMEOUT_MS = 30_000;

/** What a Lambda's context says about the function itself: the same for every request. */
export interface FunctionIdentity {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
}

const identities = new Map<HttpLambdaName, FunctionIdentity>();

/** The identity of `lambda`, built on first use and shared afterwards. */
export const identityOf = (lambda: HttpLambdaName): FunctionIdentity => {
  let identity = identities.get(lambda);
  if (identity === undefined) {
    identity = {
      functionName: `disclosure-${lambda}`,
      invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT_ID}:function:disclosure-${lambda}`,
      logGroupName: `/aws/lambda/disclosure-${lambda}`,
    };
    identities.set(lambda, identity);
  }
  return identity;
};

/** The Lambda context, as a class so that a request allocates little. */
export class LocalLambdaContext implements Context {
  readonly callbackWaitsForEmptyEventLoop = false;
  readonly functionVersion = '$LATEST';
  readonly memoryLimitInMB = '512';
  readonly logStreamName = 'local';
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly #deadline = Date.now() + LAMBDA_TIMEOUT_MS;

  constructor(
    identity: FunctionIdentity,
    readonly awsRequestId: string,
  ) {
    this.functionName = identity.functionName;
    this.invokedFunctionArn = identity.invokedFunctionArn;
    this.logGroupName = identity.logGroupName;
  }

  /**
   * A function usable detached from the context, as middy calls it; built when read, because a
   * memoised answer never reads it and most requests need not pay for the closure.
   */
  get getRemainingTimeInMillis(): () => number {
    const deadline = this.#deadline;
    return () => Math.max(0, deadline - Date.now());
  }

  done(): void {}
  fail(): void {}
  succeed(): void {}
}
