/**
 * The ids the platform's constructs are created with. The stateful resources carry fixed
 * logical ids, so refactoring the construct tree can never replace them; every other resource
 * keeps its id because each builder creates it directly in the `DisclosurePlatform` scope.
 */
import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Logical ids of the stateful resources. Fixed so that refactoring the construct tree can never replace them. */
export const STATEFUL_LOGICAL_IDS = {
  dataKey: 'DataKey',
  table: 'LedgerTable',
  plannerQueue: 'PlannerQueue',
  plannerDeadLetterQueue: 'PlannerDeadLetterQueue',
  sendQueue: 'SendQueue',
  sendDeadLetterQueue: 'SendDeadLetterQueue',
  sesEventsQueue: 'SesEventsQueue',
  sesEventsDeadLetterQueue: 'SesEventsDeadLetterQueue',
  tokenSecret: 'ChoiceTokenSecret',
  choiceEventBus: 'ChoiceEventBus',
  // The ids CDK generated before they were pinned: a replaced identity means DKIM to redo.
  configurationSet: 'PlatformConfigurationSetD3683150',
  senderIdentity: 'PlatformSenderIdentity34B395E5',
} as const;

/** Pins a resource's logical id (the id CloudFormation tracks it by). */
export const pinLogicalId = (construct: IConstruct, logicalId: string): void => {
  (construct.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
};

/** `campaign-sender` → `CampaignSender`: the construct id prefix of a Lambda's resources. */
export const pascal = (name: string): string => name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
