import { api } from '../api.js';
import type { DevAuth, Session } from './session.js';

// Local development: the API signs a token for any customer id (POST /v1/dev/token, only mounted with
// AUTH_MODE=dev). The session lives in sessionStorage: it survives a reload, not the tab.
const KEY = 'bank-web.session';

function read(): Session | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return value && typeof value.token === 'string' && typeof value.expiresAt === 'number'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

export function devAuth(): DevAuth {
  return {
    mode: 'dev',
    async restore() {
      const session = read();
      if (session && session.expiresAt > Date.now()) return session;
      sessionStorage.removeItem(KEY);
      return undefined;
    },
    async signIn(customerId) {
      const { token, expiresIn } = await api.devToken(customerId);
      const session: Session = { token, customerId, expiresAt: Date.now() + expiresIn * 1000 };
      sessionStorage.setItem(KEY, JSON.stringify(session));
      return session;
    },
    async signOut() {
      sessionStorage.removeItem(KEY);
    },
  };
}
