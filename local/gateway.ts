/**
 * The local HTTP gateway: an emulation of API Gateway HTTP API (payload format 2.0) on `node:http`.
 * It reads the same route table as the CDK construct, builds the event API Gateway would build,
 * runs the JWT authoriser emulation on non-public routes, and calls the same Lambda handlers.
 *
 * This module is its public face; the parts live in `gateway/`: `routes.ts` (route table and
 * matching), `event.ts` (the pure event builder), `context.ts` (the Lambda context),
 * `response.ts` (result → Node response) and `server.ts` (listening, body limits, error hooks).
 */
export type { AuthorizerContext } from './gateway/event.ts';
export { formatRequestTime } from './gateway/event.ts';
export { MAX_BODY_BYTES, startGateway, type Authorize, type Gateway, type GatewayOptions } from './gateway/server.ts';
