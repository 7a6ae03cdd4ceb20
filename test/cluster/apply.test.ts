import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEnvironment, deleteEnvironment } from './support/apply.js';
import { renderedEnvironments } from './support/manifests.js';
import { demoEnvironment, ensureDemoEnvironment } from './support/workloads.js';

const envs = renderedEnvironments();

describe('rendered manifests on a real API server', () => {
  it('finds rendered environments to apply', () => {
    expect(envs, "manifests/<env>/ (run 'npm run synth:manifests')").not.toHaveLength(0);
  });

  // Environments share object names, so each starts from a cluster without any of them; the demo
  // environment is applied last and stays for the workload and failover tests.
  const ordered = [...envs.filter((e) => e !== demoEnvironment()), demoEnvironment()].filter((e) =>
    envs.includes(e),
  );
  for (const env of ordered) {
    it(`server-side applies every object of '${env}' with strict validation and no warning`, async () => {
      for (const other of envs) await deleteEnvironment(other);
      const report = await applyEnvironment(env);
      expect(report.applied).toHaveLength(report.objects);
      expect(report.warnings).toEqual([]);
    });
  }

  describe('the check itself', () => {
    const root = mkdtempSync(join(tmpdir(), 'bank-cluster-apply-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    // Without strict validation the API server prunes unknown fields silently, built-in kinds and
    // custom resources alike; these prove the apply above would have failed on a typo.
    const cases = [
      {
        kind: 'built-in kind',
        yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-check\n  namespace: default\ndata: {}\nbogusField: 1\n',
        error: /\.bogusField: field not declared in schema/,
      },
      {
        kind: 'custom resource',
        yaml:
          'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: strict-check\n  namespace: default\n' +
          'spec:\n  selector: {}\n  endpoints:\n    - port: http\n      intervall: 30s\n',
        error: /\.spec\.endpoints\[0\]\.intervall: field not declared in schema/,
      },
    ];
    for (const [index, c] of cases.entries()) {
      it(`rejects an unknown field of a ${c.kind} instead of dropping it`, async () => {
        const env = `broken-${index}`;
        mkdirSync(join(root, env));
        writeFileSync(join(root, env, 'object.k8s.yaml'), c.yaml);
        await expect(applyEnvironment(env, { root, dryRun: true })).rejects.toThrow(c.error);
      });
    }
  });

  afterAll(async () => {
    // Leave the cluster as the other test files expect it, whichever order they run in.
    if (envs.length > 0) await ensureDemoEnvironment();
  });
});
