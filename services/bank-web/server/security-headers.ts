import type { Context, Next } from 'koa';
import helmet from 'koa-helmet';
import type { AuthSettings } from './config.js';

/**
 * The Content-Security-Policy of the app: every script, style, image and font from this origin only
 * (no inline code, no eval), requests to this origin (the API is routed here) and to the identity
 * provider (discovery and token requests of the PKCE flow), no framing, no plugins, no <base>.
 */
export function contentSecurityPolicy(auth: AuthSettings): Record<string, string[]> {
  const connect = ["'self'"];
  if (auth.mode === 'oidc') connect.push(new URL(auth.issuer).origin);
  return {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    fontSrc: ["'self'"],
    connectSrc: connect,
    manifestSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
  };
}

export function securityHeaders(auth: AuthSettings) {
  const base = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(auth) },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
  });
  return async (ctx: Context, next: Next): Promise<void> => {
    // No camera, microphone or location for a banking page, and none for anything it might embed.
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    await base(ctx, next);
  };
}
