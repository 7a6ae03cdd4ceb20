// Page cursors are opaque to clients: the entry id, base64url-encoded, so the format can change.

export function encodeCursor(before: number): string {
  return Buffer.from(`e:${before}`).toString('base64url');
}

/** The entry id inside a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): number | undefined {
  const match = /^e:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
