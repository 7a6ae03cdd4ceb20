import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadEnvironments } from '../../platform/config/index.js';

// What the rendered Kubernetes objects expect of the bank-api image must be what the Dockerfile
// builds: the same user, ports, commands and files. Neither side can be checked alone.

const root = new URL('../../', import.meta.url);
const dockerfile = DockerfileParser.parse(
  readFileSync(new URL('services/bank-api/Dockerfile', root), 'utf8'),
);
const instructions = dockerfile.getInstructions();
const runtimeStart = dockerfile.getFROMs().at(-1)?.getRange().start.line ?? 0;
const runtime = instructions.filter((i) => i.getRange().start.line >= runtimeStart);
const workdir = runtime.find((i) => i.getKeyword() === 'WORKDIR')?.getArgumentsContent() ?? '/';

/** Absolute paths the runtime stage puts into the image. */
const imagePaths = runtime
  .filter((i) => i.getKeyword() === 'COPY')
  .map((i) => {
    const dest = (i.getArguments() ?? []).at(-1)?.getValue() ?? '';
    return dest.startsWith('/') ? dest : `${workdir}/${dest.replace(/^\.\//, '')}`.replace(/\/+$/, '');
  });

interface Container {
  name: string;
  command?: string[];
  ports?: { containerPort: number; name?: string }[];
  securityContext?: { runAsUser?: number; runAsGroup?: number };
}

describe.each(loadEnvironments().map((e) => e.name))('bank-api image contract (%s)', (env) => {
  const docs = parseAllDocuments(
    readFileSync(new URL(`manifests/${env}/bank-api.k8s.yaml`, root), 'utf8'),
  ).map(
    (d) =>
      d.toJS() as {
        kind: string;
        metadata: { name: string };
        data?: Record<string, string>;
        spec?: Record<string, unknown>;
      },
  );
  const podContainers = (kind: string): Container[] =>
    docs
      .filter((d) => d.kind === kind)
      .flatMap(
        (d) =>
          (d.spec?.template as { spec?: { containers?: Container[] } } | undefined)?.spec?.containers ?? [],
      );
  // The service's pods: a Deployment, or a Rollout where the environment releases it as a canary.
  const workload = [...podContainers('Deployment'), ...podContainers('Rollout')];
  const containers = [...workload, ...podContainers('Job')];
  const config =
    docs.find((d) => d.kind === 'ConfigMap' && d.data?.DATABASE_SSL_CA_FILE !== undefined)?.data ?? {};
  const user = runtime.find((i) => i.getKeyword() === 'USER')?.getArgumentsContent() ?? '';

  it('runs the commands the image contains, as the image user', () => {
    expect(containers.length).toBeGreaterThanOrEqual(2);
    for (const c of containers) {
      const [binary, script] = c.command ?? [];
      expect(binary).toBe('node');
      expect(imagePaths).toContain(`${workdir}/${String(script).split('/')[0]}`);
      expect(`${c.securityContext?.runAsUser}:${c.securityContext?.runAsGroup}`).toBe(user);
    }
  });

  it('names the CA bundle file the image ships', () => {
    expect(config.DATABASE_SSL_CA_FILE).toBeDefined();
    expect(imagePaths).toContain(config.DATABASE_SSL_CA_FILE);
  });

  it('opens the ports the image exposes', () => {
    const exposed = runtime
      .filter((i) => i.getKeyword() === 'EXPOSE')
      .flatMap((i) => (i.getArgumentsContent() ?? '').split(/\s+/).map(Number))
      .sort();
    expect(workload).toHaveLength(1);
    expect((workload[0]?.ports ?? []).map((p) => p.containerPort).sort()).toEqual(exposed);
  });
});
