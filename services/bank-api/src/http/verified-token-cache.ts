/**
 * Remembers tokens whose signature and claims were already verified, so a client sending the same
 * bearer token on every request pays for the signature check once, not per request (it was about a
 * sixth of the service's CPU under load). Keyed by the exact token string; an entry lives until the
 * token's own expiry or `maxAgeMs`, whichever comes first, so the cache never accepts a token that
 * verification would refuse as expired, and a key removed from the issuer's JWKS stops being honoured
 * within `maxAgeMs`. Bounded: the oldest entries are dropped first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { subject: string; until: number }>();

  constructor(
    private readonly options: { maxEntries: number; maxAgeMs: number; now?: () => number } = {
      maxEntries: 10_000,
      maxAgeMs: 60_000,
    },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The subject of a token verified earlier and not yet expired, else undefined. */
  get(token: string): string | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.subject;
  }

  /** Records a verified token; `expiresAtSeconds` is its `exp` claim (tokens without one are not kept). */
  set(token: string, subject: string, expiresAtSeconds: number | undefined): void {
    if (expiresAtSeconds === undefined) return;
    const until = Math.min(expiresAtSeconds * 1_000, this.now() + this.options.maxAgeMs);
    if (until <= this.now()) return;
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { subject, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
