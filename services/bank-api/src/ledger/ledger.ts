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

export interface Transfer {
  id: string;
  kind: 'transfer' | 'deposit';
  fromAccountId?: string;
  toAccountId?: string;
  accountId?: string;
  amount: number;
  currency: string;
  reference: string | null;
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

/** The order of a transfer's or deposit's fields in every response; fields a kind lacks are skipped. */
const POSTING_FIELDS = [
  'id',
  'kind',
  'accountId',
  'fromAccountId',
  'toAccountId',
  'amount',
  'currency',
  'balance',
  'reference',
  'createdAt',
] as const;

function inPostingOrder<T extends object>(posting: T): T {
  const fields = posting as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of POSTING_FIELDS) if (key in fields) ordered[key] = fields[key];
  for (const key of Object.keys(fields)) if (!(key in ordered)) ordered[key] = fields[key];
  return ordered as T;
}

/** post_transfer's stored response (jsonb text) with its fields in the API's order. */
export function canonicalPosting(json: string): string {
  return JSON.stringify(inPostingOrder(JSON.parse(json) as object));
}

const ACCOUNT_COLUMNS = 'id, customer_id, currency, balance, created_at';

/**
 * The one statement that moves money. Exported so the benchmark's pgbench ceiling runs exactly the
 * SQL the service sends, parameters in the same order: customer, key, request hash, kind, from, to,
 * amount, reference.
 */
export const POST_TRANSFER_SQL =
  'SELECT outcome, status_code, body::text AS body FROM post_transfer($1, $2, $3, $4, $5, $6, $7, $8)';

/** The ledger's operations. All money movement goes through the post_transfer SQL function. */
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
      () =>
        this.db.query<{ outcome: string; status_code: number; body: string | null }>(
          POST_TRANSFER_SQL,
          [
            command.customerId,
            command.idempotencyKey,
            command.requestHash,
            command.kind,
            command.fromAccountId,
            command.toAccountId,
            command.amount,
            command.reference,
          ],
          'post_transfer',
        ),
      { idempotent: true, onRetry: this.onRetry },
    );
    const row = result.rows[0];
    if (!row) throw new Error('post_transfer returned no row');
    // The response is stored as jsonb, which keeps its keys in its own order (shortest first): put
    // them back in the order of every other response (GET /v1/transfers/:id, the docs).
    if (row.outcome === 'completed' || row.outcome === 'replayed') {
      return { outcome: row.outcome, status: row.status_code, json: canonicalPosting(row.body ?? '{}') };
    }
    const body = JSON.parse(row.body ?? '{}') as Record<string, unknown>;
    switch (row.outcome) {
      case 'idempotency_conflict':
      case 'insufficient_funds':
        return { outcome: row.outcome };
      case 'not_found':
        return { outcome: 'not_found', account: body.account === 'to' ? 'to' : 'from' };
      case 'currency_mismatch':
        return {
          outcome: 'currency_mismatch',
          fromCurrency: String(body.fromCurrency),
          toCurrency: String(body.toCurrency),
        };
      default:
        throw new Error(`post_transfer returned unknown outcome '${row.outcome}'`);
    }
  }

  /** A transfer the customer initiated (deposits included). */
  async findTransfer(customerId: string, transferId: string): Promise<Transfer | undefined> {
    const result = await this.read(() =>
      this.db.query<{
        id: string;
        kind: 'transfer' | 'deposit';
        from_account_id: string;
        to_account_id: string;
        amount: number;
        currency: string;
        reference: string | null;
        created_at: Date;
      }>(
        `SELECT id, kind, from_account_id, to_account_id, amount, currency, reference, created_at
           FROM transfers WHERE id = $1 AND customer_id = $2`,
        [transferId, customerId],
        'find_transfer',
      ),
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const common = {
      id: row.id,
      kind: row.kind,
      amount: Number(row.amount),
      currency: row.currency,
      reference: row.reference,
      createdAt: row.created_at.toISOString(),
    };
    // A deposit's source is the bank's clearing account, which is not the customer's business.
    return inPostingOrder(
      row.kind === 'deposit'
        ? { ...common, accountId: row.to_account_id }
        : { ...common, fromAccountId: row.from_account_id, toAccountId: row.to_account_id },
    );
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
