import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_METRICS, CONTROLLER_SOURCES, type ControllerSource } from './controller-metrics.js';

// The controller series the dashboards read, checked against the controllers' own Go sources at the
// versions the repository builds: the pins must agree, and every name must be declared in the
// module's controller/metrics package. The sources are in the Go module cache once the local
// platform's controllers were built (npm run argocd:build, the Rollouts build); without them the
// name check is skipped.

const REPO = join(import.meta.dirname, '..', '..');

/** The version a wrapper go.mod of this repository requires of `module`, if that go.mod exists. */
function pinnedVersion(goMod: string, module: string): string | undefined {
  const path = join(REPO, goMod);
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith(`${module} `));
  return line?.trim().split(/\s+/)[1];
}

/** Where the build scripts keep the Go module cache (test/cluster/scripts/env.sh), else Go's default. */
function moduleCaches(): string[] {
  const cache =
    process.env.BANK_PLATFORM_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bank-platform');
  const goDefault = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout?.trim();
  return [join(cache, 'go', 'mod'), ...(goDefault ? [goDefault] : [])];
}

/** The Go sources of the module's controller/metrics package, or undefined when not downloaded. */
function metricsSources(source: ControllerSource): string | undefined {
  const { module, version } = CONTROLLER_SOURCES[source];
  for (const cache of moduleCaches()) {
    const dir = join(cache, `${module}@${version}`, 'controller', 'metrics');
    if (existsSync(dir))
      return readdirSync(dir)
        .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
  }
  return undefined;
}

/** A histogram's series are declared under its base name. */
const declaredName = (series: string) => series.replace(/_(bucket|sum|count)$/, '');

describe('controller metric names', () => {
  it('come from the controller versions the repository builds', () => {
    const argocd = pinnedVersion('test/cluster/argocd/go.mod', CONTROLLER_SOURCES['argo-cd'].module);
    expect(argocd).toBe(CONTROLLER_SOURCES['argo-cd'].version);
    // The Rollouts wrapper module arrives with the Rollouts controller; until then only Argo CD is pinned.
    const rollouts = pinnedVersion(
      'test/cluster/rollouts/go.mod',
      CONTROLLER_SOURCES['argo-rollouts'].module,
    );
    if (rollouts !== undefined) expect(rollouts).toBe(CONTROLLER_SOURCES['argo-rollouts'].version);
  });

  for (const source of Object.keys(CONTROLLER_SOURCES) as ControllerSource[]) {
    const sources = metricsSources(source);
    it.skipIf(sources === undefined)(`are declared in ${source}'s controller/metrics package`, () => {
      const names = Object.entries(CONTROLLER_METRICS)
        .filter(([, s]) => s === source)
        .map(([name]) => declaredName(name));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(sources, name).toContain(`"${name}"`);
    });
  }
});
