import { createHash } from 'node:crypto';

/**
 * Fingerprint of what a request asks for: the operation plus its validated body with keys in a fixed
 * order, so the same intent hashes the same however the client formats its JSON.
 */
export function requestFingerprint(
  operation: string,
  fields: Record<string, string | number | null | undefined>,
): string {
  const canonical = JSON.stringify([
    operation,
    Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k] ?? null]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
