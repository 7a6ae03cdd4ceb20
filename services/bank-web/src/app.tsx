import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { type Account, api, SessionRejected } from './api.js';
import type { AnyAuth, Session } from './auth/session.js';
import { type Bank, BankContext } from './bank-context.js';
import { Link } from './components/link.js';
import { PageHeading } from './components/page-heading.js';
import { navigate, useRoute } from './router.js';
import { AccountView } from './views/account.js';
import { Accounts } from './views/accounts.js';
import { SignIn } from './views/sign-in.js';
import { Transfer } from './views/transfer.js';

export const EXPIRED_NOTICE = 'Your session has expired. Sign in again to continue.';

export function App({ auth, initial }: { auth: AnyAuth; initial: Session | undefined }) {
  const [session, setSession] = useState(initial);
  const [notice, setNotice] = useState<string>();
  const [accounts, setAccounts] = useState<Account[]>();

  const end = useCallback(
    async (message: string | undefined) => {
      await auth.signOut();
      setSession(undefined);
      setAccounts(undefined);
      setNotice(message);
      navigate('/');
    },
    [auth],
  );

  // The token's own expiry ends the session on time, before a request is refused with it.
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => void end(EXPIRED_NOTICE), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session, end]);

  const authorised = useCallback(
    async <T,>(call: (token: string) => Promise<T>): Promise<T> => {
      if (!session || session.expiresAt <= Date.now()) {
        await end(EXPIRED_NOTICE);
        throw new SessionRejected();
      }
      try {
        return await call(session.token);
      } catch (error) {
        if (error instanceof SessionRejected) await end(EXPIRED_NOTICE);
        throw error;
      }
    },
    [session, end],
  );

  const refreshAccounts = useCallback(async () => {
    const { items } = await authorised((token) => api.accounts(token));
    setAccounts(items);
  }, [authorised]);

  useEffect(() => {
    if (session) refreshAccounts().catch(() => setAccounts((old) => old ?? []));
  }, [session, refreshAccounts]);

  const bank = useMemo<Bank | undefined>(
    () => session && { session, authorised, accounts, refreshAccounts },
    [session, authorised, accounts, refreshAccounts],
  );

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">
          <Link href="/">Bank</Link>
        </p>
        {session && (
          <nav aria-label="Main">
            <ul>
              <li>
                <Link href="/">Accounts</Link>
              </li>
              <li>
                <Link href="/transfer">Transfer</Link>
              </li>
            </ul>
          </nav>
        )}
        {session && (
          <div class="who">
            <span>
              Signed in as <strong>{session.customerId}</strong>
            </span>
            <button type="button" class="secondary" onClick={() => void end('You have signed out.')}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {bank ? (
          <BankContext.Provider value={bank}>
            <Screen />
          </BankContext.Provider>
        ) : (
          <SignIn
            auth={auth}
            notice={notice}
            onSignedIn={(s) => {
              setNotice(undefined);
              setSession(s);
            }}
          />
        )}
      </main>
    </>
  );
}

function Screen() {
  const route = useRoute();
  switch (route.name) {
    case 'accounts':
      return <Accounts />;
    case 'account':
      return <AccountView id={route.id} />;
    case 'transfer':
      return <Transfer from={route.from} />;
    case 'not-found':
      return (
        <>
          <PageHeading title="Page not found" />
          <p>
            There is nothing here. <Link href="/">Your accounts</Link>
          </p>
        </>
      );
  }
}
