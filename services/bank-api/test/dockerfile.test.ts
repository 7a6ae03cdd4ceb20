import { execFile as execFileCb } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

const execFile = promisify(execFileCb);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dockerfilePath = fileURLToPath(new URL('../Dockerfile', import.meta.url));
const source = readFileSync(dockerfilePath, 'utf8');
const dockerfile = DockerfileParser.parse(source);
const instructions = dockerfile.getInstructions();

// No Docker engine here: the Dockerfile is checked by hadolint (the field-standard linter) and by
// parsing it and checking what the image promises against the repository it is built from.

const hadolint = [`${repoRoot}.tools/bin/hadolint`].find((p) => existsSync(p));
const toolsRequired = process.env.REQUIRE_TOOLS === '1';

describe('bank-api Dockerfile', () => {
  it.skipIf(!hadolint && !toolsRequired)('passes hadolint with no findings', async () => {
    if (!hadolint)
      throw new Error('REQUIRE_TOOLS=1 but hadolint is not installed (run scripts/install-tools.sh)');
    const result = await execFile(hadolint, [
      '--format',
      'json',
      '--failure-threshold',
      'info',
      dockerfilePath,
    ]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );
    // hadolint always prints a JSON array; anything else (a crash, an unreadable file) is a failure,
    // never "no findings".
    let findings: unknown;
    try {
      findings = JSON.parse(result.stdout);
    } catch {
      throw new Error(`hadolint printed no JSON (exit ${result.code}): ${result.stderr || result.stdout}`);
    }
    expect(findings).toEqual([]);
    expect(result.code).toBe(0);
  });

  const stages = dockerfile.getFROMs();
  const finalStageStart = stages.at(-1)?.getRange().start.line ?? 0;
  const finalStage = instructions.filter((i) => i.getRange().start.line >= finalStageStart);
  const keyword = (name: string) => finalStage.filter((i) => i.getKeyword() === name);

  it('is multi-stage and its final stage installs production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = instructions
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getRawArgumentsContent() ?? '');
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    // The runtime stage copies built output and pruned node_modules; it runs no installs itself.
    expect(keyword('RUN')).toEqual([]);
  });

  it('runs as a numeric non-root user', () => {
    const user = keyword('USER').at(-1)?.getArgumentsContent() ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it('starts node directly in exec form (SIGTERM reaches the service, not npm)', () => {
    const cmd = keyword('CMD').at(-1)?.getArgumentsContent() ?? '';
    const argv = JSON.parse(cmd) as string[];
    expect(argv[0]).toBe('node');
    expect(keyword('ENTRYPOINT')).toEqual([]);
    // The entry file is what tsconfig.build.json emits for src/main.ts.
    const build = JSON.parse(
      readFileSync(fileURLToPath(new URL('../tsconfig.build.json', import.meta.url)), 'utf8'),
    );
    expect(build.compilerOptions.outDir).toBe('dist');
    expect(argv[1]).toBe('dist/main.js');
    expect(existsSync(fileURLToPath(new URL('../src/main.ts', import.meta.url)))).toBe(true);
  });

  it('copies only paths that exist in the build context (the repository root)', () => {
    const copies = instructions
      .filter((i) => i.getKeyword() === 'COPY')
      .filter(
        (i) =>
          !(i as unknown as { getFlags(): { getName(): string }[] })
            .getFlags()
            .some((f) => f.getName() === 'from'),
      );
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const args = (copy.getArguments() ?? []).map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
      for (const src of args.slice(0, -1))
        expect(existsSync(`${repoRoot}${src}`), `${src} exists`).toBe(true);
    }
  });

  it('needs nothing writable at run time and exposes the API and metrics ports', () => {
    const env = keyword('ENV')
      .map((i) => i.getRawArgumentsContent() ?? '')
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/MIGRATE_ON_START=false/);
    expect(
      keyword('EXPOSE')
        .map((i) => i.getArgumentsContent())
        .join(' '),
    ).toBe('8080 9464');
    expect(keyword('VOLUME')).toEqual([]);
  });
});
