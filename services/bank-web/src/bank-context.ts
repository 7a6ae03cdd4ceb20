import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Account } from './api.js';
import type { Session } from './auth/session.js';

export interface Bank {
  session: Session;
  /** Runs an API call with the session's token; a refused token ends the session. */
  authorised<T>(call: (token: string) => Promise<T>): Promise<T>;
  accounts: Account[] | undefined;
  refreshAccounts(): Promise<void>;
}

export const BankContext = createContext<Bank | undefined>(undefined);

export function useBank(): Bank {
  const bank = useContext(BankContext);
  if (!bank) throw new Error('useBank outside a signed-in screen');
  return bank;
}
