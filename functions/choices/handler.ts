/** Placeholder entry so the route table and the CDK construct resolve; replaced by the real handler. */
export const handler = async (): Promise<never> => {
  throw new Error('choices: not implemented yet');
};
