/** cdk-nag acknowledgements: every suppression in `lib/` goes through here, with its reason. */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Records why a cdk-nag finding does not apply to a construct (and its children). */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id, reason });
};
