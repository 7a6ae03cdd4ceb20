import type { User, UserManager } from 'oidc-client-ts';
import type { OidcAuth, Session } from './session.js';

// Production: the authorization code flow with PKCE against the bank's identity provider, by
// oidc-client-ts. The library is loaded only in this mode, so the development bundle stays small.
// The redirect comes back to the app's root; the access token is the bearer token for the API.

const toSession = (user: User): Session => ({
  token: user.access_token,
  customerId: user.profile.sub,
  expiresAt: (user.expires_at ?? 0) * 1000,
});

export function oidcAuth(issuer: string, clientId: string): OidcAuth {
  let manager: Promise<UserManager> | undefined;
  const load = () => {
    manager ??= import('oidc-client-ts').then(
      ({ UserManager, WebStorageStateStore }) =>
        new UserManager({
          authority: issuer,
          client_id: clientId,
          redirect_uri: `${location.origin}/`,
          post_logout_redirect_uri: `${location.origin}/`,
          response_type: 'code',
          scope: 'openid',
          loadUserInfo: false,
          automaticSilentRenew: false,
          monitorSession: false,
          userStore: new WebStorageStateStore({ store: sessionStorage }),
        }),
    );
    return manager;
  };
  return {
    mode: 'oidc',
    async restore() {
      const users = await load();
      const query = new URLSearchParams(location.search);
      if (query.has('code') && query.has('state')) {
        const user = await users.signinRedirectCallback();
        // The code is spent; keep it out of the history and of a reload.
        history.replaceState(null, '', '/');
        return toSession(user);
      }
      const user = await users.getUser();
      if (user && !user.expired) return toSession(user);
      await users.removeUser();
      return undefined;
    },
    async signIn() {
      await (await load()).signinRedirect();
    },
    async signOut() {
      await (await load()).removeUser();
    },
  };
}
