import { describe, expect, it } from 'vitest';
import { withValues } from '../../test/support/raw-config.js';
import { rawEnvironments } from './environments.js';
import {
  EnvironmentConfigError,
  environmentNames,
  loadEnvironment,
  loadEnvironments,
  parseEnvironment,
  withGitopsRepoUrl,
} from './index.js';

type Raw = Record<string, unknown>;
const dev = rawEnvironments.dev as Raw;
const prod = rawEnvironments.prod as Raw;

function failureFor(name: string, raw: Raw): EnvironmentConfigError {
  try {
    parseEnvironment(name, raw);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('environment config', () => {
  it('accepts the checked-in environments', () => {
    expect(loadEnvironments().map((e) => e.name)).toEqual(['dev', 'prod']);
    expect(environmentNames()).toEqual(['dev', 'prod']);
    expect(loadEnvironment('prod').azCount).toBe(3);
  });

  const badValues: [string, string, unknown][] = [
    ['wrong account id', 'account', '12345'],
    ['unknown region shape', 'region', 'europe'],
    ['too many AZs', 'azCount', 4],
    ['malformed CIDR', 'vpcCidr', '10.0.0/16'],
    ['CIDR too small for three tiers', 'vpcCidr', '10.0.0.0/24'],
    ['unsupported Kubernetes version', 'kubernetesVersion', '1.29'],
    ['API endpoint open to the internet', 'apiAllowedCidrs.0', '0.0.0.0/0'],
    ['API CIDR with a bad octet', 'apiAllowedCidrs.0', '203.0.300.0/24'],
    ['unknown autoscaler', 'nodes.autoscaler', 'keda'],
    ['empty instance families', 'nodes.instanceFamilies', []],
    ['max below min capacity', 'nodes.maxCapacity', 1],
    ['bad system instance type', 'nodes.systemInstanceType', 'large'],
    ['fewer system nodes than AZs', 'nodes.systemNodeCount', 2],
    ['bad database class', 'database.instanceClass', 'r7g.large'],
    ['no readers', 'database.readers', 0],
    ['backup retention beyond 35 days', 'database.backupRetentionDays', 40],
    ['upper-case domain', 'domainName', 'Bank.Example.com'],
    ['plain http Git URL', 'gitops.repoUrl', 'http://example.com/repo.git'],
    ['bad alert e-mail', 'alertEmail', 'oncall'],
    ['negative budget', 'monthlyBudgetUsd', -1],
    ['bad GitHub repository', 'ci.githubRepository', 'just-a-name'],
    ['unknown data classification', 'tags.dataClassification', 'secret'],
    ['latest image tag', 'bankApi.imageTag', 'latest'],
    ['missing field', 'alertEmail', undefined],
    ['unknown nested field', 'nodes.colour', 'blue'],
    ['unknown top-level field', 'regoin', 'eu-west-1'],
    ['unknown tier', 'tier', 'staging'],
    ['more NAT gateways than AZs', 'network.natGateways', 4],
    ['alarm threshold too low', 'database.alarms.maxConnections', 0],
    ['backups kept forever', 'retention.backupsDays', 100_000],
    ['unknown Object Lock mode', 'retention.auditObjectLockMode', 'LEGAL_HOLD'],
    ['plain http OIDC issuer', 'bankApi.oidc.issuer', 'http://auth.bank.example.com/dev'],
    ['backup copy in the home region', 'backup.copyRegion', 'eu-central-1'],
    ['backup copy region misspelt', 'backup.copyRegion', 'ireland'],
    ['backups kept no days', 'backup.retentionDays', 0],
    ['node AMI by image id', 'nodes.amiAlias', 'ami-0123456789abcdef0'],
    ['node group AMI release without its patch version', 'nodes.amiReleaseVersion', '1.34-20260512'],
  ];

  it.each(badValues)('rejects %s, naming the environment and %s', (_what, field, value) => {
    const error = failureFor('dev', withValues(dev, { [field]: value }));
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(error.message).toContain(`dev.${field}`);
    expect(error.environment).toBe('dev');
  });

  const prodRules: [string, unknown][] = [
    ['azCount', 2],
    ['database.deletionProtection', false],
    ['database.backupRetentionDays', 7],
    ['database.maxReaders', 2],
    ['apiAllowedCidrs', ['203.0.113.0/24']],
    ['bankApi.replicas.min', 2],
    ['network.natGateways', 1],
    ['retention.auditObjectLockMode', 'GOVERNANCE'],
    ['backup.vaultLock', undefined],
    ['backup.copyRegion', undefined],
    ['nodes.amiAlias', 'al2023@latest'],
    ['nodes.amiReleaseVersion', undefined],
  ];

  it.each(prodRules)('holds prod to its rules: %s', (field, value) => {
    const raw = withValues(prod, { [field]: value });
    const error = failureFor('prod', raw);
    expect(error.issues.map((i) => i.field)).toContain(field);
  });

  const vaultLockRules: [string, string, unknown, string][] = [
    ['retention below the lock', 'backup.retentionDays', 30, 'backup.retentionDays'],
    [
      'lock maximum below its minimum',
      'backup.vaultLock.maxRetentionDays',
      20,
      'backup.vaultLock.maxRetentionDays',
    ],
    [
      'COMPLIANCE without a grace period',
      'backup.vaultLock.changeableForDays',
      undefined,
      'backup.vaultLock.changeableForDays',
    ],
    [
      'a grace period shorter than AWS allows',
      'backup.vaultLock.changeableForDays',
      2,
      'backup.vaultLock.changeableForDays',
    ],
    ['GOVERNANCE in production', 'backup.vaultLock.mode', 'GOVERNANCE', 'backup.vaultLock'],
  ];

  it.each(vaultLockRules)('keeps the backup vault lock consistent: %s', (_what, field, value, reported) => {
    const error = failureFor('prod', withValues(prod, { [field]: value }));
    expect(error.issues.map((i) => i.field)).toContain(reported);
    expect(error.message).toContain(`prod.${reported}`);
  });

  it('holds any production-tier environment to the rules, whatever its name', () => {
    const staging = withValues(withValues(dev, { tier: 'production' }), { name: 'staging' });
    const fields = failureFor('staging', staging).issues.map((i) => i.field);
    // dev's values break the production rules they would otherwise skip.
    expect(fields).toEqual(
      expect.arrayContaining([
        'network.natGateways',
        'retention.auditObjectLockMode',
        'apiAllowedCidrs',
        'backup.vaultLock',
        'backup.copyRegion',
        'nodes.amiAlias',
        'nodes.amiReleaseVersion',
      ]),
    );
    expect(() => parseEnvironment('staging', withValues(staging, { tier: 'non-production' }))).not.toThrow();
  });

  it('names the field of a bad sync window', () => {
    const window = {
      kind: 'deny',
      description: 'x',
      schedule: '0 18 * * 5',
      duration: '60h',
      manualSync: true,
    };
    const error = failureFor(
      'dev',
      withValues(dev, { 'gitops.syncWindows': [{ ...window, timeZone: 'Mars/Olympus' }] }),
    );
    expect(error.message).toContain('dev.gitops.syncWindows.0.timeZone: must be an IANA time zone');
    const hours = failureFor(
      'dev',
      withValues(dev, { 'gitops.syncWindows': [{ ...window, timeZone: 'UTC', duration: '2d' }] }),
    );
    expect(hours.issues.map((i) => i.field)).toEqual(['gitops.syncWindows.0.duration']);
    const cron = failureFor(
      'dev',
      withValues(dev, { 'gitops.syncWindows': [{ ...window, timeZone: 'UTC', schedule: '0 0 18 * * 5' }] }),
    );
    expect(cron.issues.map((i) => i.field)).toEqual(['gitops.syncWindows.0.schedule']);
  });

  it('rejects an environment whose name differs from its key', () => {
    expect(failureFor('staging', dev).issues).toEqual([
      { field: 'name', message: "must equal its key 'staging'" },
    ]);
  });

  it('names the known environments when an unknown one is asked for', () => {
    expect(() => loadEnvironment('qa')).toThrow(/qa\.\(name\): unknown environment; known: dev, prod/);
  });

  it('reports every bad field at once', () => {
    const raw = withValues(withValues(dev, { azCount: 1 }), { account: 'x' });
    expect(
      failureFor('dev', raw)
        .issues.map((i) => i.field)
        .sort(),
    ).toEqual(['account', 'azCount']);
  });
});

describe('withGitopsRepoUrl (the local platform reads the branch from its own Git server)', () => {
  const dev = loadEnvironment('dev');

  it('changes only gitops.repoUrl', () => {
    const local = withGitopsRepoUrl(dev, 'https://127.0.0.1:18443/bank-platform.git');
    expect(local.gitops.repoUrl).toBe('https://127.0.0.1:18443/bank-platform.git');
    expect({ ...local, gitops: { ...local.gitops, repoUrl: dev.gitops.repoUrl } }).toEqual(dev);
  });

  it('validates the URL like the config does, naming the field', () => {
    expect(() => withGitopsRepoUrl(dev, 'file:///tmp/repo.git')).toThrow(
      /dev\.gitops\.repoUrl: must be an https:\/\/ Git URL/,
    );
  });
});
