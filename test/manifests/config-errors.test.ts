import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveWebServiceProps } from '../../charts/lib/web-service/props.js';
import { renderEnvironment } from '../../charts/render.js';
import { rawEnvironments } from '../../platform/config/environments.js';
import { parseEnvironment } from '../../platform/config/index.js';
import { underMutation } from '../mutation/modules.js';

const repoRoot = join(import.meta.dirname, '..', '..');

function synthCli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'charts/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

describe('bad input stops the render with the field named', () => {
  it('a bad environment field is reported with its path', () => {
    const raw = structuredClone(rawEnvironments.prod) as { bankApi: { replicas: { min: number } } };
    raw.bankApi.replicas.min = 1;
    expect(() => renderEnvironment(parseEnvironment('prod', raw))).toThrow(/prod\.bankApi\.replicas\.min/);
  });

  it('a bad WebService prop names the prop', () => {
    expect(() =>
      resolveWebServiceProps({
        name: 'svc',
        namespace: 'bank',
        partOf: 'bank-platform',
        image: 'registry.example/svc:1.0.0',
        command: ['node'],
        replicas: { min: 2, max: 4 },
        resources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryRequestMiB: 128, memoryLimitMiB: 256 },
        environment: {},
        vpcCidr: '10.0.0.0/16',
        loadBalancerCidrs: ['10.0.0.0/16'],
        metricsPort: 8080,
      }),
    ).toThrow(
      /metricsPort must differ from httpPort[\s\S]*loadBalancerCidrs must not be the VPC CIDR \(every pod has an address there\)/,
    );
  });

  it.skipIf(underMutation)(
    'the CLI exits non-zero with a message for an unknown environment, an unpinned image and a stray flag',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
      const unknown = synthCli(['--env', 'staging', '--outdir', outdir]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toMatch(/staging.*unknown environment; known: dev, prod/s);

      const latest = synthCli([
        '--env',
        'dev',
        '--image',
        'registry.example/bank-api:latest',
        '--outdir',
        outdir,
      ]);
      expect(latest.status).toBe(1);
      expect(latest.stderr).toMatch(/invalid image reference 'registry.example\/bank-api:latest'/);

      const noEnv = synthCli([
        '--image',
        `registry.example/bank-api@sha256:${'b'.repeat(64)}`,
        '--outdir',
        outdir,
      ]);
      expect(noEnv.status).toBe(1);
      expect(noEnv.stderr).toMatch(/exactly one --env/);

      const stray = synthCli(['--environment', 'dev']);
      expect(stray.status).toBe(1);
      expect(stray.stderr).toMatch(/usage:/);
      expect(readdirSync(outdir)).toEqual([]);
    },
  );

  it.skipIf(underMutation)('the CLI renders one environment with digest images of both services', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
    const image = `registry.example/bank-api@sha256:${'c'.repeat(64)}`;
    const webImage = `registry.example/bank-web@sha256:${'d'.repeat(64)}`;
    const ok = synthCli(['--env', 'dev', '--image', image, '--web-image', webImage, '--outdir', outdir]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(join(outdir, 'dev')).sort()).toEqual([
      'bank-api.k8s.yaml',
      'bank-web.k8s.yaml',
      'dashboards.k8s.yaml',
      'namespaces.k8s.yaml',
    ]);
    expect(readFileSync(join(outdir, 'dev', 'bank-web.k8s.yaml'), 'utf8')).toContain(`image: ${webImage}`);
    expect(readFileSync(join(outdir, 'dev', 'bank-web.k8s.yaml'), 'utf8')).not.toContain(image);
    expect(readFileSync(join(outdir, 'dev', 'bank-api.k8s.yaml'), 'utf8')).toContain(`image: ${image}`);
  });

  it.skipIf(underMutation)(
    'the CLI refuses --web-image without exactly one --env, and an unpinned one',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
      const noEnv = synthCli([
        '--web-image',
        `registry.example/bank-web@sha256:${'b'.repeat(64)}`,
        '--outdir',
        outdir,
      ]);
      expect(noEnv.status).toBe(1);
      expect(noEnv.stderr).toMatch(/--web-image applies to one environment: pass exactly one --env/);
      expect(noEnv.stderr).toMatch(/usage:/);
      const latest = synthCli([
        '--env',
        'dev',
        '--web-image',
        'registry.example/bank-web:latest',
        '--outdir',
        outdir,
      ]);
      expect(latest.status).toBe(1);
      expect(latest.stderr).toMatch(/invalid image reference 'registry.example\/bank-web:latest'/);
      expect(readdirSync(outdir)).toEqual([]);
    },
  );
});
