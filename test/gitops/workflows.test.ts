import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironments } from '../../platform/config/index.js';
import { ciEnvironment } from '../../scripts/ci/environment.js';
import { scratchDir } from './git-fixtures.js';

// The GitHub Actions workflows: actionlint (the field-standard linter, with shellcheck on every run
// script) plus the repository's rules: pinned actions, least privilege, no racing deploys, and only
// npm scripts that exist.

const repoRoot = join(import.meta.dirname, '..', '..');
const workflowsDir = join(repoRoot, '.github', 'workflows');
const actionlint = join(repoRoot, '.tools', 'bin', 'actionlint');
const toolsRequired = process.env.REQUIRE_TOOLS === '1';
const haveActionlint = existsSync(actionlint);
if (!haveActionlint && !toolsRequired) {
  console.warn('actionlint is not installed (npm run tools:install): skipping the actionlint checks');
}

const files = readdirSync(workflowsDir).filter((f) => f.endsWith('.yml'));
interface Workflow {
  readonly file: string;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: workflow YAML is untyped; each check narrows what it reads.
  readonly doc: any;
}
const workflows: Workflow[] = files.map((file) => {
  const text = readFileSync(join(workflowsDir, file), 'utf8');
  return { file, text, doc: parse(text) };
});
const scripts = Object.keys(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts);

const scratch = scratchDir('actionlint-test-');
afterAll(() => scratch.cleanup());

describe('GitHub Actions workflows', () => {
  it('has the three workflows', () => {
    expect(files.sort()).toEqual(['ci.yml', 'infra.yml', 'release.yml']);
  });

  it.runIf(haveActionlint || toolsRequired)('lint clean with actionlint', () => {
    expect(haveActionlint, 'REQUIRE_TOOLS=1 but actionlint is not installed (npm run tools:install)').toBe(
      true,
    );
    const run = spawnSync(actionlint, ['-no-color'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.runIf(haveActionlint)('actionlint is live: it rejects a broken workflow', () => {
    const dir = join(scratch.dir, '.github', 'workflows');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'bad.yml'),
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout\n      - run: echo hi\n        shell: bsh\n',
    );
    const run = spawnSync(actionlint, ['-no-color', join(dir, 'bad.yml')], {
      cwd: scratch.dir,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/bad\.yml/);
  });

  it.each(workflows.map((w) => [w.file, w] as const))(
    '%s pins every action by commit SHA with its version',
    (_, w) => {
      const uses = [...w.text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        expect(ref, `${ref}: pin by full commit SHA`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(rest, `${ref}: say the version in a comment`).toMatch(/#\s*v\d+(\.\d+)*/);
      }
    },
  );

  it.each(workflows.map((w) => [w.file, w] as const))(
    '%s grants nothing by default and sets permissions per job',
    (_, w) => {
      expect(w.doc.permissions).toEqual({});
      for (const [name, job] of Object.entries(w.doc.jobs as Record<string, { permissions?: unknown }>)) {
        expect(job.permissions, `job ${name}`).toBeDefined();
        const granted = Object.entries(job.permissions as Record<string, string>);
        for (const [scope, level] of granted) {
          expect(['read', 'write', 'none'], `${name}.${scope}`).toContain(level);
        }
      }
    },
  );

  it.each(workflows.map((w) => [w.file, w] as const))('%s runs in concurrency groups', (_, w) => {
    for (const [name, job] of Object.entries(w.doc.jobs as Record<string, { concurrency?: unknown }>)) {
      expect(w.doc.concurrency ?? job.concurrency, `job ${name}`).toBeDefined();
    }
  });

  it('never cancels a deploy half-way', () => {
    const release = workflows.find((w) => w.file === 'release.yml')?.doc;
    expect(release.concurrency['cancel-in-progress']).toBe(false);
    const infra = workflows.find((w) => w.file === 'infra.yml')?.doc;
    for (const job of ['deploy-dev', 'deploy-prod']) {
      expect(infra.jobs[job].concurrency['cancel-in-progress']).toBe(false);
    }
    expect(infra.jobs['deploy-prod'].environment).toBe('prod');
    expect(infra.jobs['deploy-prod'].needs).toBe('deploy-dev');
  });

  it.each(workflows.map((w) => [w.file, w] as const))('%s calls only npm scripts that exist', (_, w) => {
    const called = [...w.text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1] as string);
    expect(called.length).toBeGreaterThan(0);
    for (const name of called) expect(scripts, `npm run ${name}`).toContain(name);
  });

  it('runs every check of .ci/run on a pull request: the job runs the script itself', () => {
    const ci = workflows.find((w) => w.file === 'ci.yml')?.doc;
    expect(Object.keys(ci.on)).toEqual(['pull_request']);
    const runners = Object.entries(ci.jobs as Record<string, { steps: { run?: string }[] }>).filter(
      ([, job]) => job.steps.some((step) => /(^|\s)bash \.ci\/run$/.test(step.run ?? '')),
    );
    expect(runners.map(([name]) => name)).toEqual(['ci-run']);
    const job = ci.jobs['ci-run'];
    // .ci/run's budget is 90 minutes; GitHub must not stop it earlier.
    expect(job['timeout-minutes']).toBeGreaterThanOrEqual(90);
    // The Go toolchain the source-built control plane and Argo CD need, read from their module.
    const setupGo = job.steps.find((step: { uses?: string }) => step.uses?.startsWith('actions/setup-go@'));
    expect(setupGo.with['go-version-file']).toBe('test/cluster/tools/go.mod');
    const setupNode = job.steps.find((step: { uses?: string }) =>
      step.uses?.startsWith('actions/setup-node@'),
    );
    expect(setupNode.with['node-version-file']).toBe('.node-version');
  });

  it('grants id-token (OIDC) only to jobs that assume an AWS role', () => {
    for (const w of workflows) {
      for (const [name, job] of Object.entries(
        w.doc.jobs as Record<string, { permissions: Record<string, string>; steps: { uses?: string }[] }>,
      )) {
        const assumesRole = job.steps.some((s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        );
        expect(job.permissions['id-token'] === 'write', `${w.file} ${name}`).toBe(assumesRole);
      }
    }
  });
});

describe('ci:environment', () => {
  it('derives every CI value from the environment config', () => {
    for (const env of loadEnvironments()) {
      const out = ciEnvironment(env);
      expect(out.image_repository).toBe(env.bankApi.imageRepository);
      expect(out.web_image_repository).toBe(env.bankWeb.imageRepository);
      expect(out.registry).toBe(`${env.account}.dkr.ecr.${env.region}.amazonaws.com`);
      expect(out.image_push_role_arn).toBe(`arn:aws:iam::${env.account}:role/bank-${env.name}-ci-image-push`);
      expect(out.cdk_deploy_role_arn).toBe(`arn:aws:iam::${env.account}:role/bank-${env.name}-ci-cdk-deploy`);
      expect(out.gitops_branch).toBe(env.gitops.branch);
      expect(out.deploy_environment).toBe(env.ci.deployEnvironment);
      expect(out.image_platform).toBe('linux/arm64');
    }
  });

  it('releases both images: built, pushed, scanned by digest before anything is published, and both published', () => {
    const release = workflows.find((w) => w.file === 'release.yml')?.doc;
    const steps = release.jobs.image.steps as { id?: string; uses?: string; with?: Record<string, string> }[];
    const builds = steps.filter((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(builds.map((b) => b.with?.file)).toEqual([
      'services/bank-api/Dockerfile',
      'services/bank-web/Dockerfile',
    ]);
    const scans = steps.filter((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    const expr = (text: string) => ['$', `{{ ${text} }}`].join('');
    expect(scans.map((s) => s.with?.['image-ref'])).toEqual([
      `${expr('steps.prod.outputs.image_repository')}@${expr('steps.build.outputs.digest')}`,
      `${expr('steps.prod.outputs.web_image_repository')}@${expr('steps.build-web.outputs.digest')}`,
    ]);
    for (const scan of scans) expect(scan.with?.['exit-code']).toBe('1');
    // The scans run in the job the publish jobs need: a finding stops both environments' publish.
    expect(release.jobs['publish-dev'].needs).toBe('image');
    const text = workflows.find((w) => w.file === 'release.yml')?.text ?? '';
    const publishes = [...text.matchAll(/npm run manifests:publish -- ([^\n]+)/g)].map((m) => m[1]);
    expect(publishes).toHaveLength(2);
    for (const args of publishes) expect(args).toContain('--web-image "$WEB_IMAGE"');
  });

  it("builds the release image for the nodes' architecture, natively on a runner of that architecture", () => {
    const release = workflows.find((w) => w.file === 'release.yml')?.doc;
    const image = release.jobs.image;
    // Graviton nodes (the NodePools require kubernetes.io/arch arm64): an amd64 image would not start.
    expect(image['runs-on']).toBe('ubuntu-24.04-arm');
    const build = image.steps.find((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action@'));
    // A GitHub Actions expression, not a JavaScript template.
    expect(build.with.platforms).toBe(['$', '{{ steps.dev.outputs.image_platform }}'].join(''));
  });
});
