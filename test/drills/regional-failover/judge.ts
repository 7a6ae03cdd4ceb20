import type { TransferTiming } from '../restore/judge.js';

// What a promoted replica must contain after a failover, decided from the clients' own clocks.
//
// With synchronous replication a commit is acknowledged only after the standby has flushed it, so
// every acknowledged transfer must be on the promoted copy. With asynchronous replication the primary
// acknowledges once it has flushed the commit itself; the standby receives it one link delay later.
// Whatever the standby has not received when the primary dies is lost, and only that: a transfer
// acknowledged more than `windowMs` before the crash had time to cross the link and must be there.
// A transfer acknowledged after the endpoint was repointed came from the new primary and must be
// there too (before the repoint every connection led to the old primary, dead or alive). Nothing may be there that no client sent, or under another id than the client was given.

export type AllowedLoss =
  /** Synchronous replication: no acknowledged transfer may be missing. */
  | { readonly kind: 'none' }
  /** Asynchronous: only transfers acknowledged within `windowMs` before the crash may be missing. */
  | { readonly kind: 'window'; readonly windowMs: number };

export interface FailoverVerdict {
  /** Wall clock of the crash (the link cut and the postmaster signalled; or the stop issued). */
  readonly crashedAt: number;
  /** Wall clock when the endpoint was repointed to the promoted replica. */
  readonly repointedAt: number;
  /** Transfers acknowledged by the old primary (at or before repointedAt). */
  readonly acknowledgedBeforeCrash: number;
  /** Transfers acknowledged after it: by the promoted replica. */
  readonly acknowledgedAfterCrash: number;
  /** Acknowledged by the old primary, absent on the promoted copy: the RPO in transfers. */
  readonly lost: readonly string[];
  /** Of those, acknowledged after the crash instant (committed before it, the answer still on its way). */
  readonly lostDuringStop: number;
  /** crashedAt minus the oldest lost acknowledgement: how far back before the crash work was lost. */
  readonly lossWindowMs: number;
  /** The newest lost acknowledgement minus crashedAt (may be positive: acknowledged while stopping). */
  readonly newestLostRelativeMs: number | undefined;
  /** The newest acknowledgement that survived, before the crash, minus crashedAt. */
  readonly newestSurvivingRelativeMs: number | undefined;
  /** Lost although acknowledged earlier than the allowed window (or at all, when none is allowed). */
  readonly lostBeyondBound: readonly string[];
  /** Acknowledged after the repoint yet missing: the new primary lost it. */
  readonly lostAfterFailover: readonly string[];
  /** On the copy under another transfer id than the client was given. */
  readonly wrongId: readonly string[];
  /** On the copy under a key no client sent, or that no client was ever acknowledged. */
  readonly unknown: readonly string[];
  readonly unacknowledged: readonly string[];
}

export function judgeFailover(
  timings: ReadonlyMap<string, TransferTiming>,
  promoted: ReadonlyMap<string, string>,
  crash: { readonly crashedAt: number; readonly repointedAt: number },
  allowed: AllowedLoss,
): FailoverVerdict {
  const { crashedAt, repointedAt } = crash;
  const lost: string[] = [];
  const lostBeyondBound: string[] = [];
  const lostAfterFailover: string[] = [];
  const wrongId: string[] = [];
  const unknown: string[] = [];
  const unacknowledged: string[] = [];
  let acknowledgedBeforeCrash = 0;
  let acknowledgedAfterCrash = 0;
  let lostDuringStop = 0;
  let oldestLost: number | undefined;
  let newestLost: number | undefined;
  let newestSurviving: number | undefined;
  for (const [key, timing] of timings) {
    const stored = promoted.get(key);
    const ack = timing.acknowledgedAt;
    if (ack === undefined) {
      if (stored !== undefined) unacknowledged.push(key);
      continue;
    }
    if (stored !== undefined && timing.transferId !== undefined && stored !== timing.transferId) {
      wrongId.push(`${key}: client was given ${timing.transferId}, the copy holds ${stored}`);
    }
    if (ack > repointedAt) {
      acknowledgedAfterCrash++;
      if (stored === undefined) lostAfterFailover.push(key);
      continue;
    }
    acknowledgedBeforeCrash++;
    if (stored !== undefined) {
      if (ack <= crashedAt && (newestSurviving === undefined || ack > newestSurviving)) newestSurviving = ack;
      continue;
    }
    lost.push(key);
    if (ack > crashedAt) lostDuringStop++;
    oldestLost = oldestLost === undefined ? ack : Math.min(oldestLost, ack);
    newestLost = newestLost === undefined ? ack : Math.max(newestLost, ack);
    if (allowed.kind === 'none' || ack < crashedAt - allowed.windowMs) lostBeyondBound.push(key);
  }
  for (const key of promoted.keys()) if (!timings.has(key)) unknown.push(key);
  return {
    crashedAt,
    repointedAt,
    acknowledgedBeforeCrash,
    acknowledgedAfterCrash,
    lost,
    lostDuringStop,
    lossWindowMs: oldestLost === undefined ? 0 : Math.max(0, crashedAt - oldestLost),
    newestLostRelativeMs: newestLost === undefined ? undefined : newestLost - crashedAt,
    newestSurvivingRelativeMs: newestSurviving === undefined ? undefined : newestSurviving - crashedAt,
    lostBeyondBound,
    lostAfterFailover,
    wrongId,
    unknown,
    unacknowledged,
  };
}

/** Every broken promise in a verdict, one line each (empty when the promoted copy is acceptable). */
export function failoverViolations(verdict: FailoverVerdict, allowed: AllowedLoss): string[] {
  const sample = (keys: readonly string[]) => keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  const problems: string[] = [];
  if (verdict.lostBeyondBound.length > 0) {
    problems.push(
      allowed.kind === 'none'
        ? `${verdict.lostBeyondBound.length} acknowledged transfer(s) lost although replication was synchronous: ${sample(verdict.lostBeyondBound)}`
        : `${verdict.lostBeyondBound.length} transfer(s) acknowledged more than ${allowed.windowMs} ms before the crash are lost ` +
            `(loss window ${verdict.lossWindowMs} ms): ${sample(verdict.lostBeyondBound)}`,
    );
  }
  if (verdict.lostAfterFailover.length > 0)
    problems.push(
      `${verdict.lostAfterFailover.length} transfer(s) acknowledged by the promoted replica are missing: ${sample(verdict.lostAfterFailover)}`,
    );
  if (verdict.wrongId.length > 0) problems.push(`transfer ids differ: ${sample(verdict.wrongId)}`);
  if (verdict.unknown.length > 0)
    problems.push(`${verdict.unknown.length} key(s) no client sent: ${sample(verdict.unknown)}`);
  if (verdict.unacknowledged.length > 0)
    problems.push(
      `${verdict.unacknowledged.length} transfer(s) on the copy that no client was acknowledged: ${sample(verdict.unacknowledged)}`,
    );
  if (verdict.acknowledgedBeforeCrash === 0)
    problems.push('no transfer was acknowledged before the crash: the drill proved nothing');
  if (verdict.acknowledgedAfterCrash === 0)
    problems.push('no transfer was acknowledged after the failover: the service never recovered');
  return problems;
}
