import { z } from 'zod';
import {
  AccountListResponse,
  AccountResponse,
  DepositResponse,
  DevTokenResponse,
  EntriesPageResponse,
  LivenessResponse,
  MovementResponse,
  ProblemResponse,
  ReadinessResponse,
  TransferResponse,
} from '../routes/responses.js';
import {
  DepositBody,
  DevTokenBody,
  EntriesQuery,
  IdempotencyKey,
  IdParams,
  OpenAccountBody,
  TransferBody,
} from '../routes/schemas.js';
import { SERVICE_VERSION } from '../version.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

// The OpenAPI 3.1 description of the API, built from the zod schemas that validate the requests
// (routes/schemas.ts, converted with their input types) and that describe the responses
// (routes/responses.ts). Served at GET /openapi.json and written to docs/services/bank-api.openapi.json
// by `npm run openapi:write`; test/openapi.test.ts keeps both, and the real responses, in line.

type JsonObject = { [key: string]: unknown };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** zod's JSON Schema for each schema of a registry, as OpenAPI components referring to each other. */
function components(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(out).map(([id, schema]) => {
      // The document's dialect is OpenAPI 3.1's (a superset of 2020-12); components need no own ids.
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
      return [id, rest];
    }),
  );
}

/** One schema on its own (parameters), without the dialect keyword. */
function inline(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
  }) as JsonObject;
  return rest;
}

const requestBodies = {
  OpenAccountRequest: OpenAccountBody,
  DepositRequest: DepositBody,
  TransferRequest: TransferBody,
  DevTokenRequest: DevTokenBody,
};

const responseBodies = {
  Account: AccountResponse,
  AccountList: AccountListResponse,
  Deposit: DepositResponse,
  Transfer: TransferResponse,
  Movement: MovementResponse,
  EntriesPage: EntriesPageResponse,
  DevToken: DevTokenResponse,
  Liveness: LivenessResponse,
  Readiness: ReadinessResponse,
  Problem: ProblemResponse,
};

const header = (description: string, schema: JsonObject = { type: 'string' }) => ({ description, schema });

/** A problem+json response; `headers` for the ones that come with one (401, 415, 503). */
function problem(description: string, headers?: JsonObject): JsonObject {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } },
  };
}

const json = (description: string, schema: string, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref(schema) } },
});

// Responses several operations share, by status.
const common = {
  badJson:
    'Validation error (`errors` lists each bad field and its rule), malformed JSON, or a missing or bad Idempotency-Key.',
  unauthorized: problem('Missing, malformed, invalid or expired bearer token.', {
    'WWW-Authenticate': header('`Bearer realm="bank-api"`'),
  }),
  tooLarge: problem('The body exceeds BODY_LIMIT_BYTES (16384 by default).'),
  unsupportedMediaType: problem('The body is not `application/json`.', {
    'Accept-Post': header('`application/json`'),
  }),
  internal: problem('An unexpected error (logged with the request id).'),
  unavailable: problem('The ledger database is unavailable; retry (with the same Idempotency-Key).', {
    'Retry-After': header('Seconds to wait before retrying.', { type: 'integer' }),
  }),
};

const idParameter = (what: string) => {
  const { properties } = inline(IdParams) as { properties: { id: JsonObject } };
  return { name: 'id', in: 'path', required: true, description: `The ${what} id.`, schema: properties.id };
};

const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  schema: inline(IdempotencyKey),
};

function queryParameters(schema: z.ZodObject): JsonObject[] {
  const { properties, required = [] } = inline(schema) as {
    properties: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...(description ? { description } : {}),
    schema: property,
  }));
}

const body = (schema: keyof typeof requestBodies) => ({
  required: true,
  content: { 'application/json': { schema: ref(schema) } },
});

const replayed = {
  'Idempotent-Replayed': header(
    '`true` when this is the stored response of an earlier request with the same key.',
  ),
};

const open = { security: [] }; // no bearer token

function paths(): JsonObject {
  return {
    '/livez': {
      get: {
        operationId: 'getLiveness',
        summary: 'Liveness: the process runs (never touches the database)',
        tags: ['operations'],
        ...open,
        responses: { '200': json('Alive.', 'Liveness') },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        tags: ['operations'],
        ...open,
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 description of the API.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        summary: 'Readiness: the database answers and the migrations are applied',
        tags: ['operations'],
        ...open,
        responses: {
          '200': json('Ready to serve.', 'Readiness'),
          '503': json('Shutting down, database unreachable, or migrations pending.', 'Readiness'),
        },
      },
    },
    '/v1/accounts': {
      get: {
        operationId: 'listAccounts',
        summary: "The caller's accounts",
        tags: ['accounts'],
        responses: {
          '200': json("The caller's accounts, oldest first.", 'AccountList'),
          '401': common.unauthorized,
          '500': common.internal,
          '503': common.unavailable,
        },
      },
      post: {
        operationId: 'openAccount',
        summary: 'Open an account',
        tags: ['accounts'],
        requestBody: body('OpenAccountRequest'),
        responses: {
          '201': json('The new account, with a zero balance.', 'Account', {
            Location: header('The path of the new account.'),
          }),
          '400': problem(common.badJson),
          '401': common.unauthorized,
          '413': common.tooLarge,
          '415': common.unsupportedMediaType,
          '422': problem('The bank holds no accounts in this currency (`unsupported-currency`).'),
          '500': common.internal,
          '503': common.unavailable,
        },
      },
    },
    '/v1/accounts/{id}': {
      get: {
        operationId: 'getAccount',
        summary: 'One of the caller’s accounts',
        tags: ['accounts'],
        parameters: [idParameter('account')],
        responses: {
          '200': json('The account.', 'Account'),
          '400': problem('The id is not a UUID.'),
          '401': common.unauthorized,
          '404': problem('No such account of the caller.'),
          '500': common.internal,
          '503': common.unavailable,
        },
      },
    },
    '/v1/accounts/{id}/deposits': {
      post: {
        operationId: 'deposit',
        summary: 'Deposit money (from the bank’s clearing account)',
        tags: ['accounts'],
        parameters: [idParameter('account'), idempotencyKeyParameter],
        requestBody: body('DepositRequest'),
        responses: {
          '201': json(
            'The deposit, with the account’s new balance (or the replay of the first request with this key).',
            'Deposit',
            replayed,
          ),
          '400': problem(common.badJson),
          '401': common.unauthorized,
          '404': problem('No such account of the caller.'),
          '409': problem(
            'The Idempotency-Key was already used with another request (`idempotency-conflict`).',
          ),
          '413': common.tooLarge,
          '415': common.unsupportedMediaType,
          '500': common.internal,
          '503': common.unavailable,
        },
      },
    },
    '/v1/accounts/{id}/entries': {
      get: {
        operationId: 'listEntries',
        summary: 'Ledger lines of an account, newest first',
        tags: ['accounts'],
        parameters: [idParameter('account'), ...queryParameters(EntriesQuery)],
        responses: {
          '200': json('A page of entries.', 'EntriesPage'),
          '400': problem('A bad id, limit or cursor, or an unknown query parameter.'),
          '401': common.unauthorized,
          '404': problem('No such account of the caller.'),
          '500': common.internal,
          '503': common.unavailable,
        },
      },
    },
    '/v1/dev/token': {
      post: {
        operationId: 'issueDevToken',
        summary: 'A token for any customer (only with AUTH_MODE=dev)',
        description:
          'Not routed (404) unless the service runs with `AUTH_MODE=dev`, which production refuses.',
        tags: ['dev'],
        ...open,
        requestBody: body('DevTokenRequest'),
        responses: {
          '201': json('A signed bearer token whose `sub` is the customer id.', 'DevToken'),
          '400': problem('Validation error or malformed JSON.'),
          '404': problem('The service does not run with `AUTH_MODE=dev`.'),
          '413': common.tooLarge,
          '415': common.unsupportedMediaType,
          '500': common.internal,
        },
      },
    },
    '/v1/transfers': {
      post: {
        operationId: 'createTransfer',
        summary: 'Move money between two accounts of the same currency',
        tags: ['transfers'],
        parameters: [idempotencyKeyParameter],
        requestBody: body('TransferRequest'),
        responses: {
          '201': json(
            'The transfer (or the replay of the first request with this key).',
            'Transfer',
            replayed,
          ),
          '400': problem(common.badJson),
          '401': common.unauthorized,
          '404': problem('The source account is not the caller’s, or the destination does not exist.'),
          '409': problem(
            'The Idempotency-Key was already used with another request (`idempotency-conflict`).',
          ),
          '413': common.tooLarge,
          '415': common.unsupportedMediaType,
          '422': problem('Insufficient funds, currency mismatch, or the same account on both sides.'),
          '500': common.internal,
          '503': common.unavailable,
        },
      },
    },
    '/v1/transfers/{id}': {
      get: {
        operationId: 'getTransfer',
        summary: 'A transfer or deposit the caller made',
        tags: ['transfers'],
        parameters: [idParameter('transfer')],
        responses: {
          '200': json('The transfer or deposit.', 'Movement'),
          '400': problem('The id is not a UUID.'),
          '401': common.unauthorized,
          '404': problem('No such transfer made by the caller.'),
          '500': common.internal,
          '503': common.unavailable,
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document; the same value on every call. */
export function openApiDocument(): JsonObject {
  return {
    openapi: '3.1.1',
    info: {
      title: 'bank-api',
      version: SERVICE_VERSION,
      description:
        'The bank’s API: accounts, deposits and transfers on a double-entry ledger. Money is an integer count of minor units (cents). Every error is `application/problem+json` (RFC 9457).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'The host that serves this document.' }],
    security: [{ bearer: [] }],
    tags: [
      { name: 'accounts', description: 'Accounts, deposits and ledger lines.' },
      { name: 'transfers', description: 'Money moved between accounts.' },
      { name: 'dev', description: 'Local development only.' },
      { name: 'operations', description: 'Probes and this document.' },
    ],
    paths: paths(),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT whose `sub` is the customer id (an OIDC issuer’s, or POST /v1/dev/token’s in dev mode).',
        },
      },
      schemas: { ...components(requestBodies, 'input'), ...components(responseBodies, 'output') },
    },
  };
}

/** The document as the committed file holds it: two-space indentation and a final newline. */
export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
