import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../src/http/verified-token-cache.js';

describe('VerifiedTokenCache', () => {
  const make = (maxEntries = 3, maxAgeMs = 60_000) => {
    let now = 1_000_000_000_000;
    const cache = new VerifiedTokenCache({ maxEntries, maxAgeMs, now: () => now });
    return { cache, advance: (ms: number) => (now += ms), nowSeconds: () => Math.floor(now / 1000) };
  };

  it('returns the subject of a verified token until the token expires', () => {
    const { cache, advance, nowSeconds } = make();
    cache.set('t1', 'alice', nowSeconds() + 10);
    expect(cache.get('t1')).toBe('alice');
    advance(9_000);
    expect(cache.get('t1')).toBe('alice');
    advance(1_000);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a long-lived token after maxAgeMs, so a revoked signing key stops being honoured', () => {
    const { cache, advance, nowSeconds } = make(3, 60_000);
    cache.set('t1', 'alice', nowSeconds() + 3_600);
    advance(59_999);
    expect(cache.get('t1')).toBe('alice');
    advance(1);
    expect(cache.get('t1')).toBeUndefined();
  });

  it('keeps neither tokens without exp nor tokens already expired', () => {
    const { cache, nowSeconds } = make();
    cache.set('no-exp', 'alice', undefined);
    cache.set('stale', 'alice', nowSeconds() - 1);
    expect(cache.get('no-exp')).toBeUndefined();
    expect(cache.get('stale')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded: the oldest entry goes first', () => {
    const { cache, nowSeconds } = make(2);
    cache.set('t1', 'a', nowSeconds() + 60);
    cache.set('t2', 'b', nowSeconds() + 60);
    cache.set('t3', 'c', nowSeconds() + 60);
    expect(cache.size).toBe(2);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')).toBe('b');
    expect(cache.get('t3')).toBe('c');
  });

  it('never confuses two tokens: the key is the exact token string', () => {
    const { cache, nowSeconds } = make();
    cache.set('header.payload.sig', 'alice', nowSeconds() + 60);
    expect(cache.get('header.payload.sig2')).toBeUndefined();
    expect(cache.get('header.payload.si')).toBeUndefined();
  });
});
