import type { Database } from '../db/database.js';
import { constraintOf, sqlState } from '../db/errors.js';
import { withRetry } from '../db/retry.js';

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

export type PostingOutcome =
  | { outcome: 'completed' | 'replayed'; status: number; json: string }
  | { outcome: 'idempotency_conflict' | 'insufficient_funds' }
  | { outcome: 'not_found'; account: 'from' | 'to' }
  | { outcome: 'currency_mismatch'; fromCurrency: string; toCurrency: string };

export interface PostingCommand {
  customerId: string;
  idempotencyKey: string;
  requestHash: string;
  kind: 'transfer' | 'deposit';
  fromAccountId: string | null;
  toAccountId: string;
  amount: number;
  reference: string | null;
}

interface AccountRow {
  id: string;
  customer_id: string;
  currency: string;
  balance: number;
  created_at: Date;
}

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  customerId: row.customer_id,
  currency: row.currency,
  balance: Number(row.balance),
  createdAt: row.created_at.toISOString(),
});

const ACCOUNT_COLUMNS = 'id, customer_id, currency, balance, created_at';

/**
 * The one statement that moves money, one posting per call. Exported so the benchmark's pgbench
 * ceiling runs exactly the SQL the service sends, parameters in the same order: customer, key, request
 * hash, kind, from, to, amount, reference.
 */
export const POST_TRANSFER_SQL =
  'SELECT outcome, status_code, body::text AS body FROM post_transfer($1, $2, $3, $4, $5, $6, $7, $8)';

/**
 * The batched form: the same eight parameters, each an array with one element per posting (see
 * migrations/0003_batched_posting.sql). One row per posting, `item` its 1-based position.
 */
export const POST_TRANSFERS_SQL =
  'SELECT item, outcome, status_code, body::text AS body FROM post_transfers($1, $2, $3, $4, $5, $6, $7, $8)';

interface PostingRow {
  outcome: string;
  status_code: number;
  body: string | null;
}

/**
 * A posting function's row as the routes need it. The response is json text the database built in the
 * API's field order (posting_json), passed on without parsing.
 */
function postingOutcome(row: PostingRow): PostingOutcome {
  if (row.outcome === 'completed' || row.outcome === 'replayed') {
    return { outcome: row.outcome, status: row.status_code, json: row.body ?? '{}' };
  }
  switch (row.outcome) {
    case 'idempotency_conflict':
    case 'insufficient_funds':
      return { outcome: row.outcome };
    case 'not_found': {
      const body = JSON.parse(row.body ?? '{}') as Record<string, unknown>;
      return { outcome: 'not_found', account: body.account === 'to' ? 'to' : 'from' };
    }
    case 'currency_mismatch': {
      const body = JSON.parse(row.body ?? '{}') as Record<string, unknown>;
      return {
        outcome: 'currency_mismatch',
        fromCurrency: String(body.fromCurrency),
        toCurrency: String(body.toCurrency),
      };
    }
    default:
      throw new Error(`post_transfer returned unknown outcome '${row.outcome}'`);
  }
}

/** The eight parameters of post_transfer, in order. */
const postingParams = (c: PostingCommand): unknown[] => [
  c.customerId,
  c.idempotencyKey,
  c.requestHash,
  c.kind,
  c.fromAccountId,
  c.toAccountId,
  c.amount,
  c.reference,
];

/** The ledger's operations. All money movement goes through post_transfer or post_transfers (SQL). */
export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly onRetry?: (error: unknown, attempt: number) => void,
  ) {}

  private read<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, { idempotent: true, onRetry: this.onRetry });
  }

  /** Opens an account; `undefined` when the currency is not one the bank holds. */
  async openAccount(customerId: string, currency: string): Promise<Account | undefined> {
    try {
      // Not idempotent (no key): retried only on errors that guarantee nothing was committed.
      const result = await withRetry(
        () =>
          this.db.query<AccountRow>(
            `INSERT INTO accounts (customer_id, currency) VALUES ($1, $2) RETURNING ${ACCOUNT_COLUMNS}`,
            [customerId, currency],
            'open_account',
          ),
        { idempotent: false, onRetry: this.onRetry },
      );
      return toAccount(result.rows[0] as AccountRow);
    } catch (error) {
      if (sqlState(error) === '23503' && constraintOf(error)?.includes('currency')) return undefined;
      throw error;
    }
  }

  async listAccounts(customerId: string): Promise<Account[]> {
    const result = await this.read(() =>
      this.db.query<AccountRow>(
        `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE customer_id = $1 AND kind = 'customer' ORDER BY created_at, id LIMIT 1000`,
        [customerId],
        'list_accounts',
      ),
    );
    return result.rows.map(toAccount);
  }

  /** The account if it exists and belongs to the customer. */
  async findAccount(customerId: string, accountId: string): Promise<Account | undefined> {
    const result = await this.read(() =>
      this.db.query<AccountRow>(
        `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 AND customer_id = $2 AND kind = 'customer'`,
        [accountId, customerId],
        'find_account',
      ),
    );
    const row = result.rows[0];
    return row ? toAccount(row) : undefined;
  }

  /**
   * Posts a transfer or deposit. Safe to retry on a lost connection: the idempotency key makes a
   * second attempt replay the first one's stored response instead of moving money again.
   */
  async post(command: PostingCommand): Promise<PostingOutcome> {
    const result = await withRetry(
      () => this.db.query<PostingRow>(POST_TRANSFER_SQL, postingParams(command), 'post_transfer'),
      { idempotent: true, onRetry: this.onRetry },
    );
    const row = result.rows[0];
    if (!row) throw new Error('post_transfer returned no row');
    return postingOutcome(row);
  }

  /**
   * Posts several transfers and deposits in one call and one transaction; the outcomes come back in
   * the commands' order, each exactly what `post` would have answered had the commands been posted
   * one after another. The whole batch is retried like a single posting (conflicts, lost
   * connections): the idempotency keys make a second attempt replay what the first one committed.
   */
  async postBatch(commands: readonly PostingCommand[]): Promise<PostingOutcome[]> {
    if (commands.length === 0) return [];
    // Eight arrays, one per parameter of post_transfer, each with one element per posting.
    const columns = postingParams(commands[0] as PostingCommand).map((_, i) =>
      commands.map((command) => postingParams(command)[i]),
    );
    const result = await withRetry(
      () => this.db.query<PostingRow & { item: number }>(POST_TRANSFERS_SQL, columns, 'post_transfers'),
      { idempotent: true, onRetry: this.onRetry },
    );
    if (result.rows.length !== commands.length) {
      throw new Error(`post_transfers returned ${result.rows.length} rows for ${commands.length} postings`);
    }
    const outcomes = new Array<PostingOutcome | undefined>(commands.length).fill(undefined);
    for (const row of result.rows) {
      if (!(row.item >= 1 && row.item <= commands.length) || outcomes[row.item - 1]) {
        throw new Error(`post_transfers returned item ${row.item} for ${commands.length} postings`);
      }
      outcomes[row.item - 1] = postingOutcome(row);
    }
    return outcomes as PostingOutcome[];
  }

  /**
   * A transfer the customer initiated (deposits included), as the JSON text the API sends. The
   * database builds it (posting_json, as for the POST responses, so the same posting reads the same
   * byte for byte) without a deposit's balance, which changes later.
   */
  async findTransfer(customerId: string, transferId: string): Promise<string | undefined> {
    const result = await this.read(() =>
      this.db.query<{ body: string }>(
        `SELECT posting_json(id, kind, from_account_id, to_account_id, amount, currency, reference,
                             created_at, NULL)::text AS body
           FROM transfers WHERE id = $1 AND customer_id = $2`,
        [transferId, customerId],
        'find_transfer',
      ),
    );
    const row = result.rows[0];
    return row?.body;
  }

  /** Ledger lines of the customer's account, newest first, keyset-paginated by entry id. */
  async listEntries(
    customerId: string,
    accountId: string,
    page: { limit: number; before: number | undefined },
  ): Promise<{ items: Entry[]; nextBefore: number | undefined } | undefined> {
    return this.read(async () => {
      const owner = await this.db.query(
        'SELECT 1 FROM accounts WHERE id = $1 AND customer_id = $2 AND kind = $3',
        [accountId, customerId, 'customer'],
      );
      if (owner.rowCount === 0) return undefined;
      const result = await this.db.query<{
        id: number;
        transfer_id: string;
        kind: 'transfer' | 'deposit';
        amount: number;
        balance_after: number;
        reference: string | null;
        created_at: Date;
      }>(
        `SELECT e.id, e.transfer_id, t.kind, e.amount, e.balance_after, t.reference, e.created_at
           FROM entries e JOIN transfers t ON t.id = e.transfer_id
          WHERE e.account_id = $1 AND ($2::bigint IS NULL OR e.id < $2)
          ORDER BY e.id DESC
          LIMIT $3`,
        [accountId, page.before ?? null, page.limit + 1],
        'list_entries',
      );
      const rows = result.rows.slice(0, page.limit);
      const items = rows.map((r) => ({
        id: String(r.id),
        transferId: r.transfer_id,
        kind: r.kind,
        direction: Math.sign(Number(r.amount)) === -1 ? ('debit' as const) : ('credit' as const),
        amount: Math.abs(Number(r.amount)),
        balanceAfter: Number(r.balance_after),
        reference: r.reference,
        createdAt: r.created_at.toISOString(),
      }));
      const last = rows.at(-1);
      return { items, nextBefore: result.rows.length > page.limit && last ? Number(last.id) : undefined };
    });
  }
}
