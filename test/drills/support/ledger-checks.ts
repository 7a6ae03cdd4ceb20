import { ledgerViolations } from '../../../services/bank-api/test/support/ledger-violations.js';
import type { LoadReport } from './transfer-load.js';

type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Sum of customer balances: transfers between customers must leave it unchanged. */
export async function customerBalanceTotal(query: Query): Promise<number> {
  const [row] = await query(
    "SELECT coalesce(sum(balance), 0)::bigint AS total FROM accounts WHERE kind = 'customer'",
  );
  return Number(row?.total);
}

/**
 * Everything a drill promises about money, checked in the database: the ledger's invariants hold, and
 * the transfers of this drill are exactly the acknowledged ones, each once, under its own key.
 */
export async function drillViolations(query: Query, report: LoadReport, label: string): Promise<string[]> {
  const problems = await ledgerViolations((text) => query(text));
  const rows = await query(
    `SELECT k.key, t.id FROM transfers t JOIN idempotency_keys k ON k.transfer_id = t.id
      WHERE t.kind = 'transfer' AND k.key LIKE $1`,
    [`${label}-%`],
  );
  const stored = new Map<string, string[]>();
  for (const row of rows) {
    const ids = stored.get(String(row.key)) ?? [];
    ids.push(String(row.id));
    stored.set(String(row.key), ids);
  }
  for (const [key, id] of report.acknowledged) {
    const ids = stored.get(key) ?? [];
    if (ids.length !== 1 || ids[0] !== id) {
      problems.push(`acknowledged transfer ${key} → ${id} is stored as [${ids.join(', ')}]`);
    }
  }
  for (const [key, ids] of stored) {
    if (!report.acknowledged.has(key))
      problems.push(`transfer ${key} → ${ids.join(', ')} was never acknowledged`);
    if (ids.length > 1) problems.push(`idempotency key ${key} moved money ${ids.length} times`);
  }
  return problems;
}

/** One line for the drill log and docs/reliability.md. */
export function describeReport(name: string, report: LoadReport, extra = ''): string {
  const failures = Object.entries(report.failures)
    .map(([reason, n]) => `${reason}×${n}`)
    .join(', ');
  return (
    `[drill] ${name}: ${report.acknowledged.size} transfers acknowledged, ${report.requests} requests, ` +
    `${report.retries} client retries, failures {${failures || 'none'}}, error window ${report.errorWindowMs} ms${extra}`
  );
}
