import { existsSync, readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadEnvironments } from '../../platform/config/index.js';

// What the rendered bank-web objects expect of the image services/bank-web/Dockerfile builds: the
// Deployment names no command (the image's own CMD starts the server), runs as a fixed numeric user
// with a read-only root filesystem, and opens the HTTP and metrics ports; release.yml pins the Node
// base by digest through the Dockerfile's NODE_TAG argument, as for bank-api.

const root = new URL('../../', import.meta.url);
const dockerfilePath = new URL('services/bank-web/Dockerfile', root);

interface Container {
  name: string;
  command?: string[];
  ports?: { containerPort: number; name?: string }[];
  securityContext?: { runAsUser?: number; runAsGroup?: number; readOnlyRootFilesystem?: boolean };
}

interface Doc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec?: { containers?: Container[] } } };
}

// The web app's Dockerfile is another change's; until it lands this file has nothing to compare.
describe.skipIf(!existsSync(dockerfilePath))('bank-web image contract', () => {
  const dockerfile = DockerfileParser.parse(
    existsSync(dockerfilePath) ? readFileSync(dockerfilePath, 'utf8') : '',
  );
  const instructions = dockerfile.getInstructions();
  const runtimeStart = dockerfile.getFROMs().at(-1)?.getRange().start.line ?? 0;
  const runtime = instructions.filter((i) => i.getRange().start.line >= runtimeStart);
  const keyword = (k: string) => runtime.filter((i) => i.getKeyword() === k);

  it('pins its Node base through ARG NODE_TAG in every stage (release.yml resolves it to a digest)', () => {
    const arg = instructions.find(
      (i) => i.getKeyword() === 'ARG' && /^NODE_TAG=/.test(i.getArgumentsContent() ?? ''),
    );
    expect(arg, 'ARG NODE_TAG=<tag>').toBeDefined();
    const froms = dockerfile.getFROMs().map((f) => f.getImageName());
    expect(froms.length).toBeGreaterThan(0);
    for (const from of dockerfile.getFROMs())
      expect(from.getArgumentsContent()).toMatch(/^node:\$\{NODE_TAG\}/);
  });

  it('starts the server itself, in exec form, so node is PID 1 and receives SIGTERM', () => {
    const cmd = keyword('CMD').at(-1);
    expect(cmd, 'CMD in the runtime stage').toBeDefined();
    const args = JSON.parse(cmd?.getArgumentsContent() ?? '""');
    expect(Array.isArray(args), 'exec form').toBe(true);
    expect(args[0]).toBe('node');
  });

  it('sets NODE_ENV=production', () => {
    const env = keyword('ENV')
      .map((i) => i.getArgumentsContent() ?? '')
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production\b/);
  });

  describe.each(loadEnvironments().map((e) => e.name))('as rendered for %s', (env) => {
    const docs = parseAllDocuments(
      readFileSync(new URL(`manifests/${env}/bank-web.k8s.yaml`, root), 'utf8'),
    ).map((d) => d.toJS() as Doc);
    const containers = docs
      .filter((d) => d.kind === 'Deployment')
      .flatMap((d) => d.spec?.template?.spec?.containers ?? []);
    const config = docs.find((d) => d.kind === 'ConfigMap')?.data ?? {};

    it('runs the image command as the image user, read-only', () => {
      const user = keyword('USER').at(-1)?.getArgumentsContent() ?? '';
      expect(containers).toHaveLength(1);
      for (const c of containers) {
        expect(c.command).toBeUndefined();
        expect(`${c.securityContext?.runAsUser}:${c.securityContext?.runAsGroup}`).toBe(user);
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      }
    });

    it('opens the ports the image exposes, as configured', () => {
      const exposed = keyword('EXPOSE')
        .flatMap((i) => (i.getArgumentsContent() ?? '').split(/\s+/).map(Number))
        .sort();
      expect((containers[0]?.ports ?? []).map((p) => p.containerPort).sort()).toEqual(exposed);
      expect([config.PORT, config.METRICS_PORT].map(Number).sort()).toEqual(exposed);
    });
  });
});
