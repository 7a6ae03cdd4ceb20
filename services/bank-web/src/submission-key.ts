// An Idempotency-Key per submission, not per click: the key is made when a submission starts and kept
// until the API has answered it, so a double click, a retry after a network error or a second tab
// submitting the same form sends the same key and the API moves the money once. Changing the form
// starts a new submission (reusing the key for another request would be a 409).

/** 128 random bits as hex (getRandomValues works on plain http too, where randomUUID does not). */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

export class SubmissionKey {
  private key: string | undefined;

  /** The key for the submission in progress, made on first use. */
  current(): string {
    this.key ??= randomKey();
    return this.key;
  }

  /** The API answered (money moved or definitively refused) or the form changed: next submit is new. */
  reset(): void {
    this.key = undefined;
  }
}
