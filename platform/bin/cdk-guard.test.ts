import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholderNodeOptions, placeholderRawConfig } from '../../test/support/placeholder-config.js';
import { withValues } from '../../test/support/raw-config.js';
import { rawEnvironments } from '../config/environments.js';
import { loadEnvironments, loadOrganisation, parseEnvironment } from '../config/index.js';
import { placeholderFields } from '../config/placeholders.js';
import { guard, stackSelectors, targetedEnvironments } from './cdk-guard.js';

// `npm run infra:diff` / `infra:deploy` refuse (exit 2) while an environment they reach
// holds placeholder values, naming the fields to set; synth keeps working with them. The refusals are
// tested on the committed config with the shipped placeholders (test/support/placeholder-config.ts),
// child processes included, so they keep testing something once the bank has set its own values.

const repoRoot = join(import.meta.dirname, '..', '..');
const names = ['dev', 'prod'];

describe('which environments a cdk command reaches', () => {
  it('reads the stack selectors, not the values of options', () => {
    expect(
      stackSelectors([
        '--require-approval',
        'never',
        'bank-dev-*',
        '-c',
        'k=v',
        '--profile',
        'p',
        '--exclusively',
      ]),
    ).toEqual(['bank-dev-*']);
    expect(stackSelectors(['--require-approval=never', 'bank-prod-network'])).toEqual(['bank-prod-network']);
  });

  it.each([
    [[], ['dev', 'prod']],
    [
      ['--require-approval', 'never'],
      ['dev', 'prod'],
    ],
    [['bank-dev-*'], ['dev']],
    [['bank-prod-cluster'], ['prod']],
    [
      ['bank-dev-network', 'bank-prod-*'],
      ['dev', 'prod'],
    ],
    [['bank-*'], ['dev', 'prod']],
    [['*'], ['dev', 'prod']],
    [['bank-d*'], ['dev']],
    [
      ['bank-dev-*', '--all'],
      ['dev', 'prod'],
    ],
    [['bank-development-x'], ['dev', 'prod']],
    [['something-else'], ['dev', 'prod']],
  ])('%j reaches %j', (args, expected) => {
    expect(targetedEnvironments(args, names)).toEqual(expected);
  });
});

describe('the guard', () => {
  const shipped = placeholderRawConfig();
  const organisation = loadOrganisation(shipped.organisation);
  const environments = loadEnvironments(shipped.environments);

  it('refuses the shipped config with exit 2, naming each field to set and its file', () => {
    const calls: string[][] = [];
    const result = guard('deploy', ['bank-prod-*'], { organisation, environments }, (args) => {
      calls.push(args);
      return 0;
    });
    expect(calls).toEqual([]);
    expect(result.exitCode).toBe(2);
    expect(result.refusal).toContain('cdk deploy refused');
    expect(result.refusal).toContain('environments.prod.account (platform/config/environments.ts)');
    expect(result.refusal).toContain('organisation.domain (platform/config/environments.ts)');
    // Only the environments the command reaches are checked.
    expect(result.refusal).not.toContain('environments.dev.account');
  });

  it('refuses the committed config exactly while the environments a command reaches hold placeholders', () => {
    const committed = { organisation: loadOrganisation(), environments: loadEnvironments() };
    for (const env of committed.environments) {
      const selector = `bank-${env.name}-*`;
      const placeholders = placeholderFields(committed.organisation, [env]);
      const calls: string[][] = [];
      const result = guard('diff', [selector], committed, (args) => {
        calls.push(args);
        return 0;
      });
      if (placeholders.length === 0) {
        expect(result).toEqual({ exitCode: 0 });
        expect(calls).toEqual([['diff', selector]]);
      } else {
        expect(result.exitCode).toBe(2);
        expect(calls).toEqual([]);
        for (const { field, value } of placeholders)
          expect(result.refusal).toContain(`${field} (platform/config/environments.ts): '${value}'`);
      }
    }
  });

  it('runs cdk with the arguments as given once the environments it reaches are real', () => {
    const real = { domain: 'bank.eu', githubRepository: 'acme-bank/platform' };
    const prod = parseEnvironment(
      'prod',
      withValues(rawEnvironments.prod as Record<string, unknown>, {
        account: '406532918877',
        domainName: 'bank.eu',
        alertEmail: 'oncall@bank.eu',
        'bankApi.hostname': 'api.bank.eu',
        'bankApi.oidc.issuer': 'https://auth.bank.eu/prod',
        'bankApi.oidc.audience': 'https://api.bank.eu',
        'bankApi.problemTypeBase': 'https://bank.eu/problems/',
        staffSsoIssuer: 'https://sso.bank.eu',
        'bankApi.imageRepository': '406532918877.dkr.ecr.eu-central-1.amazonaws.com/bank-api',
        'bankWeb.hostname': 'app.bank.eu',
        'bankWeb.imageRepository': '406532918877.dkr.ecr.eu-central-1.amazonaws.com/bank-web',
        'ci.githubRepository': 'acme-bank/platform',
        'gitops.repoUrl': 'https://github.com/acme-bank/platform.git',
      }),
    );
    const dev = environments.find((e) => e.name === 'dev');
    if (!dev) throw new Error('no dev environment');
    const calls: string[][] = [];
    const run = (args: string[]) => {
      calls.push(args);
      return 7;
    };
    const config = { organisation: real, environments: [dev, prod] };
    expect(guard('deploy', ['--require-approval', 'never', 'bank-prod-*'], config, run)).toEqual({
      exitCode: 7,
    });
    expect(calls).toEqual([['deploy', '--require-approval', 'never', 'bank-prod-*']]);
    // dev still has its placeholder account: a diff of everything is refused.
    const all = guard('diff', [], config, run);
    expect(all.exitCode).toBe(2);
    expect(all.refusal).toContain('environments.dev.account');
    expect(calls).toHaveLength(1);
  });

  it('npm run infra:diff exits 2 on the shipped config before starting the CDK CLI, and says what to set', () => {
    const result = spawnSync('npm', ['run', '--silent', 'infra:diff', '--', 'bank-dev-*'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: placeholderNodeOptions() },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cdk diff refused');
    expect(result.stderr).toContain('environments.dev.account (platform/config/environments.ts)');
    expect(result.stdout).toBe('');
  });
});

describe('the CDK entry point (platform/bin/platform.ts)', () => {
  it('warns at synth on the shipped config, naming each placeholder field, and goes on synthesizing', async () => {
    // Stopped once the warning is complete: the synth after it is what every other platform test covers.
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-'));
    const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['platform/bin/platform.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        CDK_DEFAULT_ACCOUNT: '406532918877',
        CDK_OUTDIR: outdir,
        NODE_OPTIONS: placeholderNodeOptions(),
      },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        if (stderr.includes('refuse to run until')) resolve();
      });
      child.on('exit', () => reject(new Error(`platform.ts exited before warning:\n${stderr}`)));
    });
    const stillRunning = child.exitCode === null;
    child.kill();
    await exited;
    rmSync(outdir, { recursive: true, force: true });
    expect(stillRunning).toBe(true);
    expect(stderr).toContain('WARNING: placeholder values in the environment config');
    expect(stderr).toContain('(your AWS credentials are for account 406532918877)');
    expect(stderr).toContain("environments.prod.account (platform/config/environments.ts): '222222222222'");
  });
});
