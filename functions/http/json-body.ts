/**
 * The JSON body parser a route names in its `RouteHandler.body` (`./router.ts`): `@middy/http-json-body-parser`
 * with its content-type check on. Its own module, so a Lambda without JSON bodies (notices) does not
 * bundle the parser nor, through it, `node:http`.
 */
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { httpError } from './http-error.ts';
import type { HttpRequest } from './middleware.ts';

const parser = httpJsonBodyParser({ disableContentTypeError: false });

/**
 * Parse the request's JSON body into `event.body`. RFC 9110: a body that is not JSON at all is a
 * bad request (400); the parser calls it 422, which stays for well-formed bodies the use case cannot process.
 */
export const jsonBody = async (request: HttpRequest): Promise<void> => {
  try {
    await parser.before?.(request);
  } catch (error) {
    if ((error as { statusCode?: unknown }).statusCode === 422) throw httpError(400, 'the body is not valid JSON');
    throw error;
  }
};
