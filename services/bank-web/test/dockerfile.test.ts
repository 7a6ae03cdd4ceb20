import { execFile as execFileCb } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

// No Docker engine here: the Dockerfile is checked by hadolint and by reading what it promises
// against the repository it is built from (as services/bank-api's is).

const execFile = promisify(execFileCb);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dockerfilePath = fileURLToPath(new URL('../Dockerfile', import.meta.url));
const dockerfile = DockerfileParser.parse(readFileSync(dockerfilePath, 'utf8'));
const instructions = dockerfile.getInstructions();
const stages = dockerfile.getFROMs();
const runtimeStart = stages.at(-1)?.getRange().start.line ?? 0;
const runtime = instructions.filter((i) => i.getRange().start.line >= runtimeStart);
const keyword = (name: string) => runtime.filter((i) => i.getKeyword() === name);
const hadolint = `${repoRoot}.tools/bin/hadolint`;

describe('bank-web Dockerfile', () => {
  it.skipIf(!existsSync(hadolint) && process.env.REQUIRE_TOOLS !== '1')(
    'passes hadolint with no findings',
    async () => {
      const { stdout } = await execFile(hadolint, [
        '--format',
        'json',
        '--failure-threshold',
        'info',
        dockerfilePath,
      ]);
      expect(JSON.parse(stdout)).toEqual([]);
    },
  );

  it('builds from the same pinned Node image as bank-api, in stages', () => {
    const tag = (file: string) => /^ARG NODE_TAG=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1];
    expect(tag(dockerfilePath)).toBe(tag(`${repoRoot}services/bank-api/Dockerfile`));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.every((from) => from.getImageName() === 'node')).toBe(true);
  });

  it('runs the compiled server as a numeric non-root user, with no installs in the runtime stage', () => {
    const user = keyword('USER').at(-1)?.getArgumentsContent() ?? '';
    expect(user).toBe('10001:10001');
    expect(keyword('RUN')).toEqual([]);
    const argv = JSON.parse(keyword('CMD').at(-1)?.getArgumentsContent() ?? '[]') as string[];
    const server = JSON.parse(
      readFileSync(fileURLToPath(new URL('../tsconfig.server.json', import.meta.url)), 'utf8'),
    );
    expect(server.compilerOptions).toMatchObject({ rootDir: 'server', outDir: 'dist/server' });
    expect(argv).toEqual(['node', 'dist/server/main.js']);
  });

  it('ships the built app where the server looks for it, and only the build output', () => {
    const copies = keyword('COPY').map((i) => i.getRawArgumentsContent());
    expect(copies).toEqual([
      '/src/node_modules ./node_modules',
      '/src/services/bank-web/dist/server ./dist/server',
      '/src/services/bank-web/dist/public ./dist/public',
      'services/bank-web/package.json ./package.json',
    ]);
    // Root-owned: the app user (10001) can read the files, not change them.
    const flags = keyword('COPY').map((i) =>
      (i as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] })
        .getFlags()
        .filter((f) => f.getName() === 'chown')
        .map((f) => f.getValue()),
    );
    expect(flags).toEqual([['0:0'], ['0:0'], ['0:0'], ['0:0']]);
    // server/static-dir.ts: next to the compiled server, dist/server → dist/public.
    expect(
      readFileSync(fileURLToPath(new URL('../server/static-dir.ts', import.meta.url)), 'utf8'),
    ).toContain("'../public/'");
  });

  it('exposes the web and metrics ports of the env contract, production mode, nothing writable', () => {
    const env = keyword('ENV')
      .map((i) => i.getRawArgumentsContent() ?? '')
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/PORT=8080/);
    expect(env).toMatch(/METRICS_PORT=9464/);
    expect(keyword('EXPOSE').map((i) => i.getArgumentsContent())).toEqual(['8080 9464']);
    expect(keyword('VOLUME')).toEqual([]);
  });
});
