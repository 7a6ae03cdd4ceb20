import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEnvironment, deleteEnvironment } from './support/apply.js';
import {
  loadEnvironment,
  type RenderedObject,
  renderedEnvironments,
  toYamlStream,
} from './support/manifests.js';
import { kubectl } from './support/run.js';
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

  // What a Helm-chart Application carries in its values for the chart to create (`extraManifests`)
  // never reaches the loop above: the chart renders it. Argo CD's repo-server cannot fetch upstream
  // charts here, so the objects are checked against their CRDs directly (server-side dry run,
  // strict): e.g. Grafana's generated admin Secret (argocd/grafana-admin.ts).
  for (const env of envs) {
    it(`admits the extraManifests of '${env}''s Helm-chart Applications with strict validation`, async () => {
      const extra = loadEnvironment(env).flatMap((o) => {
        if (o.kind !== 'Application') return [];
        const values = (
          o as { spec?: { source?: { helm?: { valuesObject?: { extraManifests?: unknown[] } } } } }
        ).spec?.source?.helm?.valuesObject;
        return (values?.extraManifests ?? []) as {
          kind: string;
          metadata: { name: string; namespace: string };
        }[];
      });
      expect(extra.map((o) => o.kind).sort()).toEqual(['ExternalSecret', 'Password']);
      for (const namespace of new Set(extra.map((o) => o.metadata.namespace))) {
        await kubectl(['create', 'namespace', namespace, '--dry-run=client', '-o', 'yaml']).then((r) =>
          kubectl(['apply', '--server-side', '-f', '-'], { input: r.stdout }),
        );
      }
      const result = await kubectl(
        ['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'],
        { input: toYamlStream(extra as unknown as RenderedObject[]) },
      );
      expect(result.stdout).toMatch(/externalsecret\.external-secrets\.io\/grafana-admin serverside-applied/);
      expect(result.stdout).toMatch(
        /password\.generators\.external-secrets\.io\/grafana-admin serverside-applied/,
      );
      expect(result.stderr.split('\n').filter((l) => l.startsWith('Warning:'))).toEqual([]);
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
