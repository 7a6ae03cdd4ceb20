/** A signed-in customer: the bearer token the API accepts and when it stops accepting it. */
export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  customerId: string;
}

export interface Auth {
  readonly mode: 'dev' | 'oidc';
  /** The session kept in this tab, or the one an identity provider just redirected back with. */
  restore(): Promise<Session | undefined>;
  signOut(): Promise<void>;
}

export interface DevAuth extends Auth {
  readonly mode: 'dev';
  signIn(customerId: string): Promise<Session>;
}

export interface OidcAuth extends Auth {
  readonly mode: 'oidc';
  /** Leaves the page for the identity provider's sign-in. */
  signIn(): Promise<void>;
}

export type AnyAuth = DevAuth | OidcAuth;
