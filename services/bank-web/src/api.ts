// The bank-api client: same origin (the load balancer routes /v1 to the API), bearer token, JSON in
// and out, problem+json (RFC 9457) errors turned into ApiError. The shapes follow
// docs/services/bank-api.openapi.json.

export interface Account {
  id: string;
  customerId: string;
  currency: string;
  balance: number;
  createdAt: string;
}

export interface Entry {
  id: string;
  transferId: string;
  kind: 'transfer' | 'deposit';
  direction: 'debit' | 'credit';
  amount: number;
  balanceAfter: number;
  reference: string | null;
  createdAt: string;
}

export interface EntriesPage {
  items: Entry[];
  nextCursor: string | null;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
  }
  /** The last segment of the problem type: `insufficient-funds`, `validation-error`, … */
  get slug(): string {
    return this.problem.type.split('/').pop() ?? '';
  }
}

/** The API refused the token (expired, or signed by a key it no longer trusts). */
export class SessionRejected extends Error {
  constructor() {
    super('The session is no longer valid.');
    this.name = 'SessionRejected';
  }
}

/** The request never got an answer: the same submission may be retried with the same key. */
export class NetworkError extends Error {
  constructor() {
    super(
      'The bank could not be reached. Check your connection and submit again: it will not be sent twice.',
    );
    this.name = 'NetworkError';
  }
}

interface CallOptions {
  token?: string;
  body?: unknown;
  idempotencyKey?: string;
}

async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError();
  }
  if (response.status === 401 && options.token) throw new SessionRejected();
  const type = response.headers.get('Content-Type') ?? '';
  if (!response.ok) {
    if (type.includes('json')) throw new ApiError((await response.json()) as Problem);
    throw new ApiError({
      type: 'about:blank',
      title: response.statusText,
      status: response.status,
      detail: `The bank answered ${response.status}. Try again in a moment.`,
    });
  }
  return (await response.json()) as T;
}

export const api = {
  devToken: (customerId: string) =>
    call<{ token: string; expiresIn: number }>('POST', '/v1/dev/token', { body: { customerId } }),
  accounts: (token: string) => call<{ items: Account[] }>('GET', '/v1/accounts', { token }),
  account: (token: string, id: string) =>
    call<Account>('GET', `/v1/accounts/${encodeURIComponent(id)}`, { token }),
  openAccount: (token: string, currency: string) =>
    call<Account>('POST', '/v1/accounts', { token, body: { currency } }),
  deposit: (token: string, accountId: string, amount: number, idempotencyKey: string) =>
    call<{ balance: number }>('POST', `/v1/accounts/${encodeURIComponent(accountId)}/deposits`, {
      token,
      body: { amount },
      idempotencyKey,
    }),
  transfer: (
    token: string,
    body: { fromAccountId: string; toAccountId: string; amount: number; reference?: string },
    idempotencyKey: string,
  ) => call<{ id: string }>('POST', '/v1/transfers', { token, body, idempotencyKey }),
  entries: (token: string, accountId: string, limit: number, cursor?: string) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return call<EntriesPage>('GET', `/v1/accounts/${encodeURIComponent(accountId)}/entries?${query}`, {
      token,
    });
  },
};
