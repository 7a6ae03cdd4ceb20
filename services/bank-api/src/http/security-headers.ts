import type { Context, Next } from 'koa';
import helmet from 'koa-helmet';

/**
 * Headers for a JSON API: nothing may be framed, sniffed, cached or loaded from a response.
 * helmet supplies the standard set; no-store keeps balances out of shared caches.
 */
export function securityHeaders() {
  const base = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.set('Cache-Control', 'no-store');
    await base(ctx, next);
  };
}
