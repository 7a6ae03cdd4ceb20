import Router from '@koa/router';
import type { Context } from 'koa';
import type { Authenticator } from '../http/auth.js';
import { requireCustomer } from '../http/auth.js';
import { problems } from '../http/problem.js';
import { idempotencyKey, jsonBody, validate } from '../http/validation.js';
import type { Ledger, PostingCommand, PostingOutcome } from '../ledger/ledger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { requestFingerprint } from './idempotency.js';
import {
  DepositBody,
  DevTokenBody,
  EntriesQuery,
  IdParams,
  OpenAccountBody,
  TransferBody,
} from './schemas.js';

export interface ApiRoutesDeps {
  ledger: Ledger;
  /** Where transfers and deposits go: the batcher, or the ledger itself. */
  postings: { post(command: PostingCommand): Promise<PostingOutcome> };
  authenticator: Authenticator;
  metrics: ServiceMetrics;
}

const customerOf = (ctx: Context): string => ctx.state.customerId as string;

/** Turns a posting outcome into the response, counting it by kind and outcome. */
function respondToPosting(
  ctx: Context,
  kind: 'transfer' | 'deposit',
  result: PostingOutcome,
  metrics: ServiceMetrics,
): void {
  metrics.transfers.inc({ kind, outcome: result.outcome });
  switch (result.outcome) {
    case 'completed':
    case 'replayed':
      ctx.status = result.status;
      if (result.outcome === 'replayed') ctx.set('Idempotent-Replayed', 'true');
      ctx.type = 'application/json';
      ctx.body = result.json;
      return;
    case 'idempotency_conflict':
      throw problems.idempotencyConflict();
    case 'insufficient_funds':
      throw problems.insufficientFunds();
    case 'currency_mismatch':
      throw problems.currencyMismatch(result.fromCurrency, result.toCurrency);
    case 'not_found':
      throw problems.notFound(
        result.account === 'from'
          ? 'The source account does not exist.'
          : 'The destination account does not exist.',
      );
  }
}

/** Only mounted with AUTH_MODE=dev: hands out tokens for any customer id. */
export function devTokenRoutes(authenticator: Authenticator): Router | undefined {
  if (!authenticator.issueDevToken) return undefined;
  const issue = authenticator.issueDevToken.bind(authenticator);
  const router = new Router({ prefix: '/v1/dev' });
  router.post('/token', async (ctx) => {
    const { customerId } = validate(DevTokenBody, jsonBody(ctx), 'request body');
    ctx.status = 201;
    ctx.body = await issue(customerId);
  });
  return router;
}

export function apiRoutes({ ledger, postings, authenticator, metrics }: ApiRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });
  router.use(requireCustomer(authenticator));

  router.post('/accounts', async (ctx) => {
    const { currency } = validate(OpenAccountBody, jsonBody(ctx), 'request body');
    const account = await ledger.openAccount(customerOf(ctx), currency);
    if (!account) throw problems.unsupportedCurrency(currency);
    ctx.status = 201;
    ctx.set('Location', `/v1/accounts/${account.id}`);
    ctx.body = account;
  });

  router.get('/accounts', async (ctx) => {
    ctx.body = { items: await ledger.listAccounts(customerOf(ctx)) };
  });

  router.get('/accounts/:id', async (ctx) => {
    const { id } = validate(IdParams, ctx.params, 'account id');
    const account = await ledger.findAccount(customerOf(ctx), id);
    if (!account) throw problems.notFound('No such account.');
    ctx.body = account;
  });

  router.post('/accounts/:id/deposits', async (ctx) => {
    const { id } = validate(IdParams, ctx.params, 'account id');
    const body = validate(DepositBody, jsonBody(ctx), 'request body');
    const key = idempotencyKey(ctx);
    const reference = body.reference ?? null;
    const result = await postings.post({
      customerId: customerOf(ctx),
      idempotencyKey: key,
      requestHash: requestFingerprint('deposit', { accountId: id, amount: body.amount, reference }),
      kind: 'deposit',
      fromAccountId: null,
      toAccountId: id,
      amount: body.amount,
      reference,
    });
    respondToPosting(ctx, 'deposit', result, metrics);
  });

  router.post('/transfers', async (ctx) => {
    const body = validate(TransferBody, jsonBody(ctx), 'request body');
    const key = idempotencyKey(ctx);
    if (body.fromAccountId === body.toAccountId) {
      metrics.transfers.inc({ kind: 'transfer', outcome: 'rejected' });
      throw problems.sameAccount();
    }
    const reference = body.reference ?? null;
    const result = await postings.post({
      customerId: customerOf(ctx),
      idempotencyKey: key,
      requestHash: requestFingerprint('transfer', { ...body, reference }),
      kind: 'transfer',
      fromAccountId: body.fromAccountId,
      toAccountId: body.toAccountId,
      amount: body.amount,
      reference,
    });
    respondToPosting(ctx, 'transfer', result, metrics);
  });

  router.get('/transfers/:id', async (ctx) => {
    const { id } = validate(IdParams, ctx.params, 'transfer id');
    const transfer = await ledger.findTransfer(customerOf(ctx), id);
    if (!transfer) throw problems.notFound('No such transfer.');
    ctx.type = 'application/json';
    ctx.body = transfer;
  });

  router.get('/accounts/:id/entries', async (ctx) => {
    const { id } = validate(IdParams, ctx.params, 'account id');
    const query = validate(EntriesQuery, ctx.query, 'query string');
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && before === undefined) {
      throw problems.validation('The cursor is not one this API returned.', [
        { path: 'cursor', message: 'unknown cursor' },
      ]);
    }
    const page = await ledger.listEntries(customerOf(ctx), id, { limit: query.limit, before });
    if (!page) throw problems.notFound('No such account.');
    ctx.body = {
      items: page.items,
      nextCursor: page.nextBefore === undefined ? null : encodeCursor(page.nextBefore),
    };
  });

  return router;
}
