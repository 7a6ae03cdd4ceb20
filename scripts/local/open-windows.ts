import { CronExpressionParser } from 'cron-parser';
import type { EnvironmentConfig } from '../../platform/config/index.js';

// Which of an environment's rendered deny sync windows are open at a moment, evaluated the way Argo
// CD does (SyncWindow.active in its v1alpha1 types): a window opens when its cron schedule fires (in
// the window's time zone) and stays open for its duration. While one is open, Argo CD neither auto-syncs nor self-heals the project's
// Applications, so the local platform cannot finish an automated bootstrap of that environment.

export interface OpenWindow {
  readonly description?: string;
  readonly schedule: string;
  readonly duration: string;
  readonly timeZone: string;
  readonly openedAt: string;
  readonly closesAt: string;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };

/** A Go duration as Argo CD writes window durations ("60h", "1h30m"). */
export function durationMs(duration: string): number {
  const parts = [...duration.matchAll(/(\d+)([hms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) {
    throw new Error(`sync window duration '${duration}' is not like 60h or 1h30m`);
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * (UNIT_MS[unit as string] ?? 0), 0);
}

export function openDenyWindows(env: EnvironmentConfig, now: Date = new Date()): OpenWindow[] {
  return env.gitops.syncWindows.flatMap((w) => {
    if (w.kind !== 'deny') return [];
    const timeZone = w.timeZone;
    // Argo CD's test: the first firing after (now - duration) lies before now.
    const length = durationMs(w.duration);
    const since = new Date(now.getTime() - length);
    const opened = CronExpressionParser.parse(w.schedule, { currentDate: since, tz: timeZone })
      .next()
      .toDate();
    if (opened.getTime() >= now.getTime()) return [];
    const closes = new Date(opened.getTime() + length);
    return [
      {
        ...(w.description ? { description: w.description } : {}),
        schedule: w.schedule,
        duration: w.duration,
        timeZone,
        openedAt: opened.toISOString(),
        closesAt: closes.toISOString(),
      },
    ];
  });
}
