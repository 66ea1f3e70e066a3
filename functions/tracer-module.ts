/**
 * The Powertools Tracer (and with it the X-Ray SDK, about 127 KB minified): bundled as its own
 * file, `tracer.mjs`, beside each Lambda's `index.mjs` (lib/functions.ts), and imported by
 * `./tracing.ts` only when tracing is on, so a Lambda without tracing neither carries it in its
 * bundle nor loads it at a cold start. Service name from `POWERTOOLS_SERVICE_NAME`.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * SDK calls are traced through their clients (`captureAWSv3Client`); the functions make no other
 * outbound HTTP call, so the global http/https/fetch patch stays off.
 */
export const createTracer = (): Tracer => new Tracer({ captureHTTPsRequests: false });
