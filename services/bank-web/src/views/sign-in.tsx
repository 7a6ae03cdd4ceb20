import { useRef, useState } from 'preact/hooks';
import type { AnyAuth, Session } from '../auth/session.js';
import { Field, FormError, focusFirstInvalid } from '../components/field.js';
import { PageHeading } from '../components/page-heading.js';
import { type FieldErrors, fieldErrorsOf } from '../field-errors.js';

export function SignIn({
  auth,
  notice,
  onSignedIn,
}: {
  auth: AnyAuth;
  notice: string | undefined;
  onSignedIn(session: Session): void;
}) {
  const [customerId, setCustomerId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const inFlight = useRef(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setErrors({});
    try {
      if (auth.mode === 'oidc') {
        await auth.signIn();
        return;
      }
      onSignedIn(await auth.signIn(customerId.trim()));
    } catch (error) {
      setErrors(fieldErrorsOf(error, ['customerId']));
      requestAnimationFrame(() => focusFirstInvalid(form.current));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <section class="card narrow">
      <PageHeading title="Sign in" />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form ref={form} onSubmit={submit} noValidate>
        {auth.mode === 'dev' ? (
          <Field
            id="customerId"
            label="Customer ID"
            hint="Development sign-in: any ID of letters, digits and . _ @ | -"
            error={errors.customerId}
          >
            {(describedBy, invalid) => (
              <input
                id="customerId"
                name="customerId"
                autocomplete="username"
                required
                value={customerId}
                onInput={(e) => setCustomerId(e.currentTarget.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
        ) : (
          <p>You sign in on the bank's sign-in page and come back here.</p>
        )}
        <FormError message={errors['']} />
        <button type="submit" aria-disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
