import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderEnvironment } from '../../charts/render.js';
import { rawEnvironments } from '../../platform/config/environments.js';
import { type EnvironmentConfig, loadEnvironments, parseEnvironment } from '../../platform/config/index.js';
import { underMutation } from '../mutation/modules.js';
import { parseManifests } from './rendered.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const environments = loadEnvironments();
const first = environments.map((env) => renderEnvironment(env));

/** Lines of `b` that differ from `a`, as "-old / +new" pairs (renders keep line structure stable). */
function changedLines(a: string, b: string): string[] {
  const left = a.split('\n');
  const right = b.split('\n');
  expect(right.length, 'same number of lines').toBe(left.length);
  return left.flatMap((line, i) => (line === right[i] ? [] : [`-${line.trim()} +${right[i]?.trim()}`]));
}

const joined = (env: EnvironmentConfig, image?: string, webImage?: string) =>
  renderEnvironment(env, { ...(image ? { image } : {}), ...(webImage ? { webImage } : {}) })
    .files.map((f) => f.content)
    .join('');

/** A valid variant of an environment with one field changed, validated like any config. */
function variant(
  name: string,
  edit: (raw: Record<string, unknown> & { bankApi: Record<string, unknown> }) => void,
) {
  const raw = structuredClone(rawEnvironments[name]) as Record<string, unknown> & {
    bankApi: Record<string, unknown>;
  };
  edit(raw);
  return parseEnvironment(name, raw);
}

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Renders one environment with the CLI in a process of its own, started from `cwd`. */
function renderInProcess(
  env: string,
  cwd: string,
  extraEnv: Record<string, string>,
): Promise<Map<string, string>> {
  const outdir = mkdtempSync(join(tmpdir(), `render-${env}-`));
  const cli = join(repoRoot, 'charts', 'main.ts');
  return new Promise((resolve, reject) => {
    // tsx by URL: the second process starts outside the repository, where 'tsx' would not resolve.
    const child = spawn(process.execPath, ['--import', TSX_LOADER, cli, '--env', env, '--outdir', outdir], {
      cwd,
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`render of ${env} from ${cwd} exited ${code}: ${stderr}`));
      const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
        .filter((f) => f.isFile())
        .map((f) => join(f.parentPath, f.name));
      resolve(new Map(files.map((f) => [f.slice(outdir.length), readFileSync(f, 'utf8')])));
    });
  });
}

describe('render determinism', () => {
  it.skipIf(underMutation)(
    'two processes, started from different folders, time zones and locales, render the same bytes',
    async () => {
      for (const env of environments.map((e) => e.name)) {
        const [a, b] = await Promise.all([
          renderInProcess(env, repoRoot, { TZ: 'UTC', LANG: 'C.UTF-8' }),
          renderInProcess(env, mkdtempSync(join(tmpdir(), 'render-cwd-')), {
            TZ: 'Pacific/Chatham',
            LANG: 'de_DE.UTF-8',
          }),
        ]);
        expect(a.size).toBeGreaterThan(0);
        expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
        for (const [file, content] of a) expect(b.get(file), `${env}${file}`).toBe(content);
      }
    },
    120_000,
  );

  it('two renders are byte-identical', () => {
    const second = environments.map((env) => renderEnvironment(env));
    expect(second).toEqual(first);
  });

  it('the committed manifests/ are exactly what charts/ renders now', () => {
    for (const rendered of first) {
      for (const file of rendered.files) {
        const committed = readFileSync(join(repoRoot, 'manifests', rendered.environment, file.name), 'utf8');
        expect(
          committed,
          `manifests/${rendered.environment}/${file.name} is stale: run npm run synth:manifests`,
        ).toBe(file.content);
      }
    }
  });

  it('every environment renders the same set of objects; only values differ', () => {
    const identities = first.map((r) =>
      r.files
        .flatMap((f) => parseManifests(f.content))
        .map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)
        .sort(),
    );
    for (const other of identities.slice(1)) expect(other).toEqual(identities[0]);
  });

  it('a config change shows up only where that field is used', () => {
    const dev = environments.find((e) => e.name === 'dev') as EnvironmentConfig;
    const quieter = variant('dev', (raw) => {
      raw.bankApi.logLevel = 'warn';
    });
    const diff = changedLines(joined(dev), joined(quieter));
    expect(diff).toHaveLength(2);
    expect(diff[0]).toMatch(/^-LOG_LEVEL: debug \+LOG_LEVEL: warn$/);
    // The pod template's config checksum changes with it, so the pods roll.
    expect(diff[1]).toMatch(/^-checksum\/config: [0-9a-f]{64} \+checksum\/config: [0-9a-f]{64}$/);
  });

  it('an --image override changes only the image lines, and must be pinned', () => {
    const prod = environments.find((e) => e.name === 'prod') as EnvironmentConfig;
    const image = `${prod.bankApi.imageRepository}@sha256:${'a'.repeat(64)}`;
    const diff = changedLines(joined(prod), joined(prod, image));
    expect(diff.length).toBe(2); // the Rollout (or Deployment) and the migration Job
    for (const line of diff) expect(line.endsWith(`+image: ${image}`)).toBe(true);
    expect(() => renderEnvironment(prod, { image: `${prod.bankApi.imageRepository}:latest` })).toThrow(
      /latest/,
    );
    expect(() => renderEnvironment(prod, { image: `${prod.bankApi.imageRepository}@sha256:abc` })).toThrow(
      /digest/,
    );
  });

  it('a bank-web image override changes only the web Deployment image line, and must be pinned', () => {
    const prod = environments.find((e) => e.name === 'prod') as EnvironmentConfig;
    const webImage = `${prod.bankWeb.imageRepository}@sha256:${'b'.repeat(64)}`;
    const diff = changedLines(joined(prod), joined(prod, undefined, webImage));
    expect(diff).toEqual([
      `-image: ${prod.bankWeb.imageRepository}:${prod.bankWeb.imageTag} +image: ${webImage}`,
    ]);
    expect(() => renderEnvironment(prod, { webImage: `${prod.bankWeb.imageRepository}:latest` })).toThrow(
      /latest/,
    );
  });
});
