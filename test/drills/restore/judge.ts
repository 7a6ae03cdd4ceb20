// What a point-in-time restore must contain, decided from the clients' own clocks. A transfer commits
// somewhere between the moment its request was sent and the moment its 201 arrived, and PostgreSQL
// stops replay at the first commit later than the target. So, with times in whole milliseconds of the
// same wall clock the database stamps commits with:
//   - acknowledged before the target (ack < target): committed before it, must be in the copy;
//   - sent after the target (sent > target): committed after it, must not be in the copy;
//   - anything else was in flight across the target and may go either way.

export interface TransferTiming {
  /** Wall-clock ms taken before the first request for this key went out. */
  readonly sentAt: number;
  /** Wall-clock ms taken after the 201 arrived; undefined when it never did. */
  readonly acknowledgedAt: number | undefined;
  /** The transfer id the 201 carried. */
  readonly transferId: string | undefined;
}

export type Expectation = 'present' | 'absent' | 'either';

export function expectationAt(timing: TransferTiming, targetMs: number): Expectation {
  if (timing.acknowledgedAt !== undefined && timing.acknowledgedAt < targetMs) return 'present';
  // Equal is in flight: a request sent within the target's own millisecond can commit at or before it.
  if (timing.sentAt > targetMs) return 'absent';
  return 'either';
}

export interface RestoreVerdict {
  readonly targetMs: number;
  /** Transfers acknowledged before the target (the ones the RPO is about). */
  readonly acknowledgedBeforeTarget: number;
  /** Transfers whose request was sent after the target. */
  readonly sentAfterTarget: number;
  /** In flight across the target: how many of them the copy holds and lacks. */
  readonly inFlight: { readonly present: number; readonly absent: number };
  /** Acknowledged before the target but missing from the copy: the RPO, which must be 0. */
  readonly lost: readonly string[];
  /** Sent after the target yet in the copy: the restore went past the point it was asked for. */
  readonly presentAfterTarget: readonly string[];
  /** In the copy under another transfer id than the client was given. */
  readonly wrongId: readonly string[];
  /** In the copy under a key no client of this drill ever sent. */
  readonly unknown: readonly string[];
}

/**
 * Compares the keys found in the restored copy (idempotency key → transfer id) with what the clients
 * saw. Pure, so a claim about another target can be judged against the same copy.
 */
export function judgeRestore(
  timings: ReadonlyMap<string, TransferTiming>,
  restored: ReadonlyMap<string, string>,
  targetMs: number,
): RestoreVerdict {
  const lost: string[] = [];
  const presentAfterTarget: string[] = [];
  const wrongId: string[] = [];
  const unknown: string[] = [];
  let acknowledgedBeforeTarget = 0;
  let sentAfterTarget = 0;
  const inFlight = { present: 0, absent: 0 };
  for (const [key, timing] of timings) {
    const storedId = restored.get(key);
    const expected = expectationAt(timing, targetMs);
    if (expected === 'present') {
      acknowledgedBeforeTarget++;
      if (storedId === undefined) lost.push(key);
    } else if (expected === 'absent') {
      sentAfterTarget++;
      if (storedId !== undefined) presentAfterTarget.push(key);
    } else if (storedId === undefined) {
      inFlight.absent++;
    } else {
      inFlight.present++;
    }
    if (storedId !== undefined && timing.transferId !== undefined && storedId !== timing.transferId) {
      wrongId.push(`${key}: client was given ${timing.transferId}, the copy holds ${storedId}`);
    }
  }
  for (const key of restored.keys()) if (!timings.has(key)) unknown.push(key);
  return {
    targetMs,
    acknowledgedBeforeTarget,
    sentAfterTarget,
    inFlight,
    lost,
    presentAfterTarget,
    wrongId,
    unknown,
  };
}

/** Every broken promise in a verdict, one line each (empty when the copy is exactly right). */
export function verdictViolations(verdict: RestoreVerdict): string[] {
  const sample = (keys: readonly string[]) => keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  const problems: string[] = [];
  if (verdict.lost.length > 0)
    problems.push(
      `${verdict.lost.length} transfer(s) acknowledged before the target are missing: ${sample(verdict.lost)}`,
    );
  if (verdict.presentAfterTarget.length > 0)
    problems.push(
      `${verdict.presentAfterTarget.length} transfer(s) sent after the target are present: ${sample(verdict.presentAfterTarget)}`,
    );
  if (verdict.wrongId.length > 0) problems.push(`transfer ids differ: ${sample(verdict.wrongId)}`);
  if (verdict.unknown.length > 0)
    problems.push(`${verdict.unknown.length} key(s) no client sent: ${sample(verdict.unknown)}`);
  if (verdict.acknowledgedBeforeTarget === 0)
    problems.push('no transfer was acknowledged before the target: the drill proved nothing');
  if (verdict.sentAfterTarget === 0)
    problems.push('no transfer was sent after the target: the drill proved nothing');
  return problems;
}
