import { describe, expect, it } from 'vitest';
// The change freeze as the local platform evaluates it (scripts/local/open-windows.ts).
import { loadEnvironment } from '../../platform/config/index.js';
import { durationMs, openDenyWindows } from '../../scripts/local/open-windows.js';

const prod = loadEnvironment('prod');
const dev = loadEnvironment('dev');

// prod's weekend freeze: Friday 18:00 to Monday 06:00, Europe/Berlin (gitops.syncWindows in
// platform/config/environments.ts).
describe('open deny windows', () => {
  it('finds prod frozen from Friday 18:00 to Monday 06:00 Berlin time, and open otherwise', () => {
    // 2026-12-04 is a Friday; Berlin is UTC+1 in December.
    expect(openDenyWindows(prod, new Date('2026-12-04T16:59:00Z'))).toEqual([]);
    const friday = openDenyWindows(prod, new Date('2026-12-04T17:01:00Z'));
    expect(friday.map((w) => [w.openedAt, w.closesAt])).toEqual([
      ['2026-12-04T17:00:00.000Z', '2026-12-07T05:00:00.000Z'],
    ]);
    expect(openDenyWindows(prod, new Date('2026-12-07T04:59:00Z'))).toHaveLength(1);
    expect(openDenyWindows(prod, new Date('2026-12-07T05:00:00Z'))).toEqual([]);
    expect(openDenyWindows(prod, new Date('2026-12-01T12:00:00Z'))).toEqual([]);
  });

  it('follows Berlin summer time (UTC+2)', () => {
    // 2026-07-03 is a Friday.
    expect(openDenyWindows(prod, new Date('2026-07-03T15:59:00Z'))).toEqual([]);
    expect(openDenyWindows(prod, new Date('2026-07-03T16:01:00Z'))).toHaveLength(1);
  });

  it('has no windows in dev', () => {
    expect(openDenyWindows(dev, new Date('2026-12-05T12:00:00Z'))).toEqual([]);
  });

  it('reads Go durations and refuses others', () => {
    expect(durationMs('60h')).toBe(60 * 3_600_000);
    expect(durationMs('1h30m')).toBe(90 * 60_000);
    expect(() => durationMs('2d')).toThrow(/not like 60h/);
  });
});
