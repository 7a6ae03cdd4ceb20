import { useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useBank } from '../bank-context.js';
import { Field, FormError, focusFirstInvalid } from '../components/field.js';
import { Link } from '../components/link.js';
import { PageHeading } from '../components/page-heading.js';
import { type FieldErrors, fieldErrorsOf } from '../field-errors.js';
import { formatMoney, parseAmount } from '../money.js';
import { SubmissionKey } from '../submission-key.js';
import { shortId } from './accounts.js';

const FIELDS = ['fromAccountId', 'toAccountId', 'amount', 'reference'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function Transfer({ from }: { from: string | undefined }) {
  const { accounts, authorised, refreshAccounts } = useBank();
  const [form, setForm] = useState({
    fromAccountId: from ?? '',
    toAccountId: '',
    amount: '',
    reference: '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  // One key per submission: a second click while the first is in flight is ignored, and a retry of
  // the same form after a failed connection reuses the key (see SubmissionKey).
  const key = useRef(new SubmissionKey()).current;
  const inFlight = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);

  if (accounts === undefined) return <p role="status">Loading…</p>;
  // The chosen account, or the first one (what the select shows) when none or an unknown one is chosen:
  // the accounts may arrive after the screen opened.
  const source = accounts.find((a) => a.id === form.fromAccountId) ?? accounts[0];

  const change = (field: (typeof FIELDS)[number]) => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setForm((old) => ({ ...old, [field]: value }));
    key.reset();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (inFlight.current) return;
    setDone(undefined);
    const local: FieldErrors = {};
    if (!source) local.fromAccountId = 'Choose the account to pay from.';
    const to = form.toAccountId.trim();
    if (!UUID.test(to))
      local.toAccountId = 'Enter the account number to pay into (36 characters, as shown on its page).';
    const parsed = source ? parseAmount(form.amount, source.currency) : undefined;
    if (parsed && !parsed.ok) local.amount = parsed.message;
    if (Object.keys(local).length > 0 || !source || !parsed?.ok) {
      setErrors(local);
      requestAnimationFrame(() => focusFirstInvalid(formRef.current));
      return;
    }
    inFlight.current = true;
    setBusy(true);
    setErrors({});
    const reference = form.reference.trim();
    try {
      await authorised((token) =>
        api.transfer(
          token,
          {
            fromAccountId: source.id,
            toAccountId: to,
            amount: parsed.minor,
            ...(reference ? { reference } : {}),
          },
          key.current(),
        ),
      );
      key.reset();
      setForm((old) => ({ ...old, amount: '', reference: '' }));
      setDone(`Transferred ${formatMoney(parsed.minor, source.currency)} to ${shortId(to)}.`);
      await refreshAccounts();
    } catch (error) {
      setErrors(fieldErrorsOf(error, FIELDS, { 'not-found': 'toAccountId' }));
      requestAnimationFrame(() => focusFirstInvalid(formRef.current));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading title="Transfer money" />
      {accounts.length === 0 ? (
        <p>
          Open an account first. <Link href="/">Your accounts</Link>
        </p>
      ) : (
        <form ref={formRef} onSubmit={submit} noValidate class="card stacked-form">
          <Field id="fromAccountId" label="From" error={errors.fromAccountId}>
            {(describedBy, invalid) => (
              <select
                id="fromAccountId"
                name="fromAccountId"
                value={source?.id}
                onChange={change('fromAccountId')}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              >
                {accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.currency} account {shortId(a.id)}: {formatMoney(a.balance, a.currency)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            id="toAccountId"
            label="To account number"
            hint="Another of your accounts, or someone else's account number"
            error={errors.toAccountId}
          >
            {(describedBy, invalid) => (
              <>
                <input
                  id="toAccountId"
                  name="toAccountId"
                  list="own-accounts"
                  autocomplete="off"
                  spellcheck={false}
                  value={form.toAccountId}
                  onInput={change('toAccountId')}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                />
                <datalist id="own-accounts">
                  {accounts
                    .filter((a) => a.id !== source?.id)
                    .map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.currency} account {shortId(a.id)}
                      </option>
                    ))}
                </datalist>
              </>
            )}
          </Field>
          <Field id="amount" label={`Amount${source ? ` (${source.currency})` : ''}`} error={errors.amount}>
            {(describedBy, invalid) => (
              <input
                id="amount"
                name="amount"
                inputMode="decimal"
                autocomplete="off"
                value={form.amount}
                onInput={change('amount')}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field id="reference" label="Reference (optional)" error={errors.reference}>
            {(describedBy, invalid) => (
              <input
                id="reference"
                name="reference"
                maxLength={140}
                autocomplete="off"
                value={form.reference}
                onInput={change('reference')}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <FormError message={errors['']} />
          <button type="submit" aria-disabled={busy}>
            {busy ? 'Transferring…' : 'Transfer'}
          </button>
          {done && (
            <p class="success" role="status">
              {done}
            </p>
          )}
        </form>
      )}
    </>
  );
}
