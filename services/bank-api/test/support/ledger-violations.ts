// Kept apart from harness.ts, which imports vitest: the restore drill (a plain tsx script) runs
// these same checks on the restored copy.

/**
 * The ledger's invariants, checked in SQL against the database itself. Returns a list of
 * violations (empty when all hold) so a failing test shows what broke.
 */
export async function ledgerViolations(
  query: (text: string) => Promise<Record<string, unknown>[]>,
): Promise<string[]> {
  const violations: string[] = [];
  const check = async (name: string, text: string) => {
    const rows = await query(text);
    if (rows.length > 0) violations.push(`${name}: ${JSON.stringify(rows.slice(0, 5))}`);
  };
  await check(
    'total balance is not zero (money created or destroyed)',
    'SELECT sum(balance) AS total FROM accounts HAVING sum(balance) <> 0',
  );
  await check(
    'negative customer balance',
    "SELECT id, balance FROM accounts WHERE kind = 'customer' AND balance < 0",
  );
  await check(
    'transfer entries do not sum to zero',
    'SELECT t.id, sum(e.amount) AS total, count(e.id) AS n FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id GROUP BY t.id HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.id) <> 2',
  );
  await check(
    'balance differs from the sum of its entries',
    'SELECT a.id, a.balance, coalesce(sum(e.amount), 0) AS entries FROM accounts a LEFT JOIN entries e ON e.account_id = a.id GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)',
  );
  await check(
    'idempotency key linked to more than one transfer or to none',
    'SELECT customer_id, key FROM idempotency_keys WHERE status_code IS NULL OR transfer_id IS NULL',
  );
  await check(
    'transfer without a stored idempotency key',
    'SELECT t.id FROM transfers t LEFT JOIN idempotency_keys k ON k.transfer_id = t.id GROUP BY t.id HAVING count(k.key) <> 1',
  );
  return violations;
}
