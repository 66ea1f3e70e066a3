/**
 * The one AWS endpoint the bundles under test are pointed at (`AWS_ENDPOINT_URL`): it records
 * every call as the IAM action it needs, per caller (each function signs with its own access key
 * id, its manifest name), then forwards DynamoDB to the embedded engine and SES v2 to the local
 * SES endpoint, and answers SQS, Secrets Manager and EventBridge itself (the local platform runs
 * those in process, so there is no engine to forward to): queued messages and put events are
 * kept for the flow to deliver.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded call: who, which IAM action, on what. */
export interface RecordedCall {
  readonly caller: string;
  /** The IAM action the call needs, e.g. `dynamodb:PutItem`, `sqs:SendMessage` (for SendMessageBatch too). */
  readonly action: string;
  /** The API operation as called, e.g. `SendMessageBatch`. */
  readonly operation: string;
  /** Table, queue, secret, bus or SES path. */
  readonly resource: string;
  readonly status: number;
}

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
}

export interface AwsRecorderOptions {
  readonly dynamoEndpoint: string;
  readonly sesEndpoint: string;
  /** `SecretString` of the choice-token secret's `AWSCURRENT` version (no `AWSPREVIOUS`: never rotated). */
  readonly secretString: string;
}

export interface AwsRecorder {
  readonly endpoint: string;
  readonly calls: readonly RecordedCall[];
  /** The URL of a queue named `name` on this endpoint (what `SEND_QUEUE_URL` … point at). */
  queueUrl(name: string): string;
  /** Takes every message queued on `name` so far (FIFO). */
  takeMessages(name: string): QueuedMessage[];
  /** How many messages wait on `name`. */
  queued(name: string): number;
  /** Every EventBridge entry put so far. */
  readonly events: readonly Record<string, unknown>[];
  /** The distinct IAM actions `caller` used. */
  actionsOf(caller: string): string[];
  stop(): Promise<void>;
}

/** IAM has no action of its own for these batch calls: each needs the single call's action. */
const IAM_ACTION_OF: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/** SES v2 is REST: its operations by method and path (only those a Lambda of ours may call are named). */
const sesOperation = (method: string, path: string): string => {
  if (method === 'POST' && path === '/v2/email/outbound-emails') return 'SendEmail';
  if (method === 'POST' && path === '/v2/email/outbound-bulk-emails') return 'SendBulkEmail';
  if (method === 'GET' && path === '/v2/email/account') return 'GetAccount';
  if (method === 'GET' && path.startsWith('/v2/email/identities/')) return 'GetEmailIdentity';
  return `${method} ${path}`;
};

/** `Credential=<access key id>/<date>/<region>/<service>/aws4_request` of a SigV4 Authorization header. */
const credentialScope = (authorization: string | undefined): { caller: string; service: string } | undefined => {
  const match = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match ? { caller: match[1]!, service: match[2]! } : undefined;
};

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

const forward = (target: string, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<number> =>
  new Promise((resolve, reject) => {
    const url = new URL(request.url ?? '/', target);
    const headers = { ...request.headers, host: url.host };
    const upstream = httpRequest(url, { method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      answer.on('end', () => resolve(answer.statusCode ?? 502));
    });
    upstream.on('error', reject);
    upstream.end(body);
  });

const sendJson = (response: ServerResponse, status: number, body: unknown, errorType?: string): number => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
  return status;
};

/** Start the recording endpoint on a random local port. */
export const startAwsRecorder = async (options: AwsRecorderOptions): Promise<AwsRecorder> => {
  const calls: RecordedCall[] = [];
  const queues = new Map<string, QueuedMessage[]>();
  const events: Record<string, unknown>[] = [];
  const queueOf = (queueUrl: unknown): QueuedMessage[] => {
    const name = String(queueUrl ?? '').split('/').pop() ?? '';
    let queue = queues.get(name);
    if (!queue) queues.set(name, (queue = []));
    return queue;
  };

  /** SQS (JSON protocol), Secrets Manager and EventBridge, as far as our functions call them. */
  const emulate = (service: string, operation: string, input: Record<string, any>, response: ServerResponse): { status: number; resource: string } => {
    switch (`${service}:${operation}`) {
      case 'sqs:SendMessage': {
        const messageId = randomUUID();
        queueOf(input['QueueUrl']).push({ messageId, body: String(input['MessageBody']) });
        return { resource: String(input['QueueUrl']), status: sendJson(response, 200, { MessageId: messageId, MD5OfMessageBody: md5(String(input['MessageBody'])) }) };
      }
      case 'sqs:SendMessageBatch': {
        const queue = queueOf(input['QueueUrl']);
        const entries = (input['Entries'] ?? []) as { Id: string; MessageBody: string }[];
        const successful = entries.map((entry) => {
          const messageId = randomUUID();
          queue.push({ messageId, body: entry.MessageBody });
          return { Id: entry.Id, MessageId: messageId, MD5OfMessageBody: md5(entry.MessageBody) };
        });
        return { resource: String(input['QueueUrl']), status: sendJson(response, 200, { Successful: successful, Failed: [] }) };
      }
      case 'secretsmanager:GetSecretValue': {
        const resource = String(input['SecretId']);
        if (input['VersionStage'] && input['VersionStage'] !== 'AWSCURRENT') {
          return { resource, status: sendJson(response, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS" }, 'ResourceNotFoundException') };
        }
        return { resource, status: sendJson(response, 200, { ARN: resource, Name: 'choice-token', SecretString: options.secretString, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 0 }) };
      }
      case 'events:PutEvents': {
        const entries = (input['Entries'] ?? []) as Record<string, unknown>[];
        events.push(...entries);
        const buses = [...new Set(entries.map((entry) => String(entry['EventBusName'] ?? 'default')))].join(',');
        return { resource: buses, status: sendJson(response, 200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) }) };
      }
      default:
        return { resource: '?', status: sendJson(response, 400, { __type: 'UnknownOperationException', message: `${service}:${operation} is not emulated here` }, 'UnknownOperationException') };
    }
  };

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const scope = credentialScope(request.headers.authorization);
      if (!scope) {
        sendJson(response, 403, { __type: 'MissingAuthenticationTokenException', message: 'unsigned request' }, 'MissingAuthenticationTokenException');
        return;
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const operation = target ? target.slice(target.lastIndexOf('.') + 1) : sesOperation(request.method ?? 'GET', path);
      const named = `${scope.service}:${operation}`;
      let status: number;
      let resource: string;
      if (scope.service === 'dynamodb') {
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        resource = String(input['TableName'] ?? Object.keys((input['RequestItems'] as object | undefined) ?? {}).join(','));
        status = await forward(options.dynamoEndpoint, request, body, response);
      } else if (scope.service === 'ses') {
        resource = path;
        status = await forward(options.sesEndpoint, request, body, response);
      } else {
        ({ status, resource } = emulate(scope.service, operation, JSON.parse(body.toString('utf8') || '{}'), response));
      }
      calls.push({ caller: scope.caller, action: IAM_ACTION_OF[named] ?? named, operation, resource, status });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { __type: 'InternalFailure', message: (error as Error).message });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    calls,
    events,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    takeMessages: (name) => queueOf(name).splice(0),
    queued: (name) => queueOf(name).length,
    actionsOf: (caller) => [...new Set(calls.filter((call) => call.caller === caller).map((call) => call.action))].sort(),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
