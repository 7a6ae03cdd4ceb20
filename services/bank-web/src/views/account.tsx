import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Account, api, type Entry } from '../api.js';
import { useBank } from '../bank-context.js';
import { Field, FormError, focusFirstInvalid } from '../components/field.js';
import { Link } from '../components/link.js';
import { PageHeading } from '../components/page-heading.js';
import { type FieldErrors, fieldErrorsOf } from '../field-errors.js';
import { formatMoney, parseAmount } from '../money.js';
import { SubmissionKey } from '../submission-key.js';
import { shortId } from './accounts.js';

export const PAGE_SIZE = 10;

export function AccountView({ id }: { id: string }) {
  const { accounts } = useBank();
  const account = accounts?.find((a) => a.id === id);
  const [version, setVersion] = useState(0);
  if (accounts === undefined) return <p role="status">Loading…</p>;
  if (!account)
    return (
      <>
        <PageHeading title="Account not found" />
        <p>
          You have no account with this number. <Link href="/">Back to your accounts</Link>
        </p>
      </>
    );
  return (
    <>
      <PageHeading title={`${account.currency} account`}>
        {account.currency} account <span class="muted">{shortId(account.id)}</span>
      </PageHeading>
      <dl class="facts">
        <dt>Balance</dt>
        <dd class="balance big" data-account-balance={account.id}>
          {formatMoney(account.balance, account.currency)}
        </dd>
        <dt>Account number</dt>
        <dd>
          <code>{account.id}</code>
        </dd>
      </dl>
      <p>
        <Link href={`/transfer?from=${account.id}`}>Transfer from this account</Link>
      </p>
      <Deposit account={account} onDone={() => setVersion((v) => v + 1)} />
      <History account={account} version={version} />
    </>
  );
}

function Deposit({ account, onDone }: { account: Account; onDone(): void }) {
  const { authorised, refreshAccounts } = useBank();
  const [amount, setAmount] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const key = useRef(new SubmissionKey()).current;
  const inFlight = useRef(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (inFlight.current) return;
    setDone(undefined);
    const parsed = parseAmount(amount, account.currency);
    if (!parsed.ok) {
      setErrors({ amount: parsed.message });
      requestAnimationFrame(() => focusFirstInvalid(form.current));
      return;
    }
    inFlight.current = true;
    setBusy(true);
    setErrors({});
    try {
      await authorised((token) => api.deposit(token, account.id, parsed.minor, key.current()));
      key.reset();
      setAmount('');
      setDone(`Deposited ${formatMoney(parsed.minor, account.currency)}.`);
      await refreshAccounts();
      onDone();
    } catch (error) {
      setErrors(fieldErrorsOf(error, ['amount']));
      requestAnimationFrame(() => focusFirstInvalid(form.current));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="deposit-heading">
      <h2 id="deposit-heading">Deposit</h2>
      <form ref={form} onSubmit={submit} noValidate class="inline-form">
        <Field id="deposit-amount" label={`Amount (${account.currency})`} error={errors.amount}>
          {(describedBy, invalid) => (
            <input
              id="deposit-amount"
              name="amount"
              inputMode="decimal"
              autocomplete="off"
              value={amount}
              onInput={(e) => {
                setAmount(e.currentTarget.value);
                key.reset();
              }}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
        <button type="submit" aria-disabled={busy}>
          {busy ? 'Depositing…' : 'Deposit'}
        </button>
      </form>
      <FormError message={errors['']} />
      {done && (
        <p class="success" role="status">
          {done}
        </p>
      )}
    </section>
  );
}

function History({ account, version }: { account: Account; version: number }) {
  const { authorised } = useBank();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'idle' | 'error'>('loading');

  const load = useCallback(
    async (cursor: string | undefined) => {
      setState('loading');
      try {
        const page = await authorised((token) => api.entries(token, account.id, PAGE_SIZE, cursor));
        setEntries((old) => (cursor ? [...old, ...page.items] : page.items));
        setNext(page.nextCursor);
        setState('idle');
      } catch {
        setState('error');
      }
    },
    [account.id, authorised],
  );

  // `version` changes after a deposit: the history reloads from its newest page.
  useEffect(() => {
    void load(undefined);
  }, [load, version]);

  return (
    <section class="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {entries.length === 0 && state === 'idle' && <p>No movements yet.</p>}
      {entries.length > 0 && (
        <table class="history">
          <caption class="visually-hidden">Movements, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Movement</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col" class="num">
                Balance after
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{new Date(entry.createdAt).toLocaleString()}</td>
                <td>
                  {entry.kind === 'deposit'
                    ? 'Deposit'
                    : entry.direction === 'debit'
                      ? 'Transfer out'
                      : 'Transfer in'}
                  {entry.reference && <span class="muted"> · {entry.reference}</span>}
                </td>
                <td class={entry.direction === 'debit' ? 'num debit' : 'num credit'}>
                  {entry.direction === 'debit' ? '−' : '+'}
                  {formatMoney(entry.amount, account.currency)}
                </td>
                <td class="num">{formatMoney(entry.balanceAfter, account.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state === 'loading' && <p role="status">Loading history…</p>}
      {state === 'error' && (
        <p class="form-error" role="alert">
          The history could not be loaded.{' '}
          <button type="button" class="link-button" onClick={() => load(undefined)}>
            Try again
          </button>
        </p>
      )}
      {next && state === 'idle' && (
        <button type="button" class="secondary" onClick={() => load(next)}>
          Show older movements
        </button>
      )}
    </section>
  );
}
