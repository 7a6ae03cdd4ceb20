import { useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useBank } from '../bank-context.js';
import { Field, FormError, focusFirstInvalid } from '../components/field.js';
import { Link } from '../components/link.js';
import { PageHeading } from '../components/page-heading.js';
import { type FieldErrors, fieldErrorsOf } from '../field-errors.js';
import { formatMoney } from '../money.js';

export const shortId = (id: string) => `…${id.slice(-4)}`;

export function Accounts() {
  const { accounts } = useBank();
  return (
    <>
      <PageHeading title="Your accounts" />
      {accounts === undefined ? (
        <p role="status">Loading accounts…</p>
      ) : accounts.length === 0 ? (
        <p>You have no accounts yet. Open one below.</p>
      ) : (
        <ul class="accounts" aria-label="Accounts">
          {accounts.map((account) => (
            <li key={account.id} class="account">
              <Link href={`/accounts/${account.id}`} class="account-link">
                <span class="account-name">
                  {account.currency} account <span class="muted">{shortId(account.id)}</span>
                </span>
                <span class="balance" data-account-balance={account.id}>
                  {formatMoney(account.balance, account.currency)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <OpenAccount />
    </>
  );
}

function OpenAccount() {
  const { authorised, refreshAccounts } = useBank();
  const [currency, setCurrency] = useState('EUR');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const form = useRef<HTMLFormElement>(null);
  const inFlight = useRef(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    // Opening an account takes no idempotency key: a second submit while one is open is dropped.
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setErrors({});
    setDone(undefined);
    try {
      const account = await authorised((token) => api.openAccount(token, currency.trim().toUpperCase()));
      await refreshAccounts();
      setDone(`Opened a ${account.currency} account.`);
    } catch (error) {
      setErrors(fieldErrorsOf(error, ['currency']));
      requestAnimationFrame(() => focusFirstInvalid(form.current));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="open-heading">
      <h2 id="open-heading">Open an account</h2>
      <form ref={form} onSubmit={submit} noValidate class="inline-form">
        <Field
          id="currency"
          label="Currency"
          hint="Three letters, such as EUR, USD or GBP"
          error={errors.currency}
        >
          {(describedBy, invalid) => (
            <input
              id="currency"
              name="currency"
              maxLength={3}
              size={5}
              autocapitalize="characters"
              autocomplete="off"
              spellcheck={false}
              value={currency}
              onInput={(e) => setCurrency(e.currentTarget.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
        <button type="submit" aria-disabled={busy}>
          {busy ? 'Opening…' : 'Open account'}
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
