/**
 * Schemas of the choice routes (`GET`/`POST /choices/{token}`), for the OpenAPI document. The
 * handler reads one form field and validates it against the options the campaign offers, so it
 * does not need a schema library at run time; these describe the same contract for API clients.
 */
import * as z from 'zod/mini';
import { CHOICE_OPTION_IDS } from '../../core/choice-options.ts';
import { problemResponses, type PathsSpec } from './common.ts';

const optionSchema = z.enum(CHOICE_OPTION_IDS);

export const choiceRequestSchema = z.object({ option: optionSchema });

export const recordedChoiceSchema = z.object({
  campaignId: z.string(),
  version: z.int(),
  option: optionSchema,
  at: z.iso.datetime(),
  defaulted: z.boolean(),
  previousVersion: z.optional(z.int()),
  replaced: z.optional(optionSchema),
});

export const choiceViewSchema = z.object({
  campaignId: z.string(),
  noticeId: z.string(),
  version: z.int(),
  deadline: z.iso.datetime(),
  options: z.array(optionSchema),
  choice: z.nullable(recordedChoiceSchema),
});

let registered = false;
const registerComponents = (): void => {
  if (registered) return;
  registered = true;
  z.globalRegistry.add(choiceRequestSchema, { id: 'ChoiceRequest' });
  z.globalRegistry.add(recordedChoiceSchema, { id: 'RecordedChoice' });
  z.globalRegistry.add(choiceViewSchema, { id: 'ChoiceView' });
};

const tokenParameter = {
  name: 'token',
  in: 'path' as const,
  required: true,
  description: 'The choice token from the email link: the capability, bound to one campaign and account, valid until the deadline',
  schema: { type: 'string', maxLength: 1024, pattern: '^v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
};
const htmlPage = { 'text/html': { schema: { type: 'string', description: 'An accessible page in the recipient\'s language' } } };
const tags = ['choices'];
const errorsAsPages =
  'Errors are `application/problem+json` when the client asks for JSON (`Accept`), otherwise a friendly HTML page with the same status.';

/** The choice routes' OpenAPI 3.1 path items. */
export const openApiPaths = (): PathsSpec => {
  registerComponents();
  return {
    '/choices/{token}': {
      get: {
        operationId: 'showChoice',
        summary: 'The choice page; never records anything (mail scanners prefetch links)',
        description: `\`?option=\` only preselects an option. ${errorsAsPages}`,
        tags,
        parameters: [tokenParameter, { name: 'option', in: 'query', description: 'Option to preselect', schema: optionSchema }],
        responses: {
          '200': { description: 'The page (HTML) or the pending choice (JSON)', content: { ...htmlPage, 'application/json': { schema: choiceViewSchema } } },
          ...problemResponses(403, 404, 410),
        },
      },
      post: {
        operationId: 'recordChoice',
        summary: 'Record the choice (the last one before the deadline governs) and confirm it',
        description: `Form-encoded (\`option=…\`) from the page, or JSON. The token is the capability, so no CSRF token is needed. ${errorsAsPages}`,
        tags,
        parameters: [tokenParameter],
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: choiceRequestSchema }, 'application/json': { schema: choiceRequestSchema } },
        },
        responses: {
          '200': { description: 'The confirmation (HTML) or the recorded choice (JSON)', content: { ...htmlPage, 'application/json': { schema: recordedChoiceSchema } } },
          ...problemResponses(400, 403, 404, 410, 413),
        },
      },
    },
  };
};
