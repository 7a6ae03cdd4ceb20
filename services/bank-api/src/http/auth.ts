import { createSecretKey, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { Context, Next } from 'koa';
import type { AuthConfig } from '../config.js';
import { problems } from './problem.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const CUSTOMER_ID = /^[A-Za-z0-9._:@|-]{1,128}$/;
const DEV_ISSUER = 'bank-api-dev';
const DEV_AUDIENCE = 'bank-api';
const DEV_TOKEN_TTL_SECONDS = 3_600;

export interface Authenticator {
  readonly mode: 'dev' | 'oidc';
  /** Verifies a bearer token and returns the customer id (the `sub` claim). */
  verify(token: string): Promise<string>;
  /** Only in dev mode: signs a token for a customer. */
  issueDevToken?(customerId: string): Promise<{ token: string; tokenType: 'Bearer'; expiresIn: number }>;
}

const subjectOf = (sub: unknown): string => {
  if (typeof sub !== 'string' || !CUSTOMER_ID.test(sub))
    throw new Error('token subject is not a valid customer id');
  return sub;
};

/** Wraps a full verification with a cache of tokens already verified (see VerifiedTokenCache). */
function cached(
  verifyFully: (token: string) => Promise<{ subject: string; expiresAt: number | undefined }>,
): (token: string) => Promise<string> {
  const cache = new VerifiedTokenCache();
  return async (token) => {
    const known = cache.get(token);
    if (known !== undefined) return known;
    const { subject, expiresAt } = await verifyFully(token);
    cache.set(token, subject, expiresAt);
    return subject;
  };
}

export function createAuthenticator(config: AuthConfig): Authenticator {
  if (config.mode === 'dev') {
    // A random secret per process unless one is configured: dev tokens never outlive the process
    // unless several local instances must accept the same tokens (drills).
    // A KeyObject, not raw bytes: jose caches the imported key per KeyObject, whereas raw bytes are
    // imported into WebCrypto again on every request (about a tenth of the service's CPU under load).
    const secret = createSecretKey(
      Buffer.from(config.secret ?? randomBytes(32).toString('base64url'), 'utf8'),
    );
    return {
      mode: 'dev',
      verify: cached(async (token) => {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          issuer: DEV_ISSUER,
          audience: DEV_AUDIENCE,
        });
        return { subject: subjectOf(payload.sub), expiresAt: payload.exp };
      }),
      async issueDevToken(customerId) {
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(customerId)
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(`${DEV_TOKEN_TTL_SECONDS}s`)
          .sign(secret);
        return { token, tokenType: 'Bearer', expiresIn: DEV_TOKEN_TTL_SECONDS };
      },
    };
  }
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.jwksUri), {
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
  });
  return {
    mode: 'oidc',
    verify: cached(async (token) => {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        clockTolerance: 30,
      });
      return { subject: subjectOf(payload.sub), expiresAt: payload.exp };
    }),
  };
}

/** What a 401 says: a missing header, one that is not a bearer JWT, and a token that fails verification differ. */
export const AUTH_MESSAGES = {
  missing: 'Send a bearer token: Authorization: Bearer <JWT>.',
  malformed:
    "The Authorization header is not 'Bearer <JWT>' (the word Bearer, one space, then a token of three base64url parts separated by dots).",
  invalid: 'The bearer token is invalid or expired.',
} as const;

/** Requires `Authorization: Bearer <JWT>` and puts the customer id on ctx.state. */
export function requireCustomer(authenticator: Authenticator) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('Authorization');
    if (header === '') throw problems.unauthorized(AUTH_MESSAGES.missing);
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
    if (!match?.[1]) throw problems.unauthorized(AUTH_MESSAGES.malformed);
    try {
      ctx.state.customerId = await authenticator.verify(match[1]);
    } catch {
      throw problems.unauthorized(AUTH_MESSAGES.invalid);
    }
    await next();
  };
}
