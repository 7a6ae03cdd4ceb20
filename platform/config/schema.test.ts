import { describe, expect, it } from 'vitest';
import { type ConfigIssue, issuesOf, withValues } from '../../test/support/raw-config.js';
import { rawEnvironments, rawOrganisation } from './environments.js';
import {
  EnvironmentConfigError,
  EnvironmentConfigSchema,
  loadOrganisation,
  parseEnvironment,
} from './index.js';

// Field by field: what the environment config schema accepts and the exact error an operator reads
// when it does not (issue 17: every rule is pinned at its boundary, every message as written text).

type Raw = Record<string, unknown>;
type Issue = ConfigIssue;

const dev = rawEnvironments.dev as Raw;
const prod = rawEnvironments.prod as Raw;

/** Expected issues: one per message, all on `field`. */
const on = (field: string, messages: string[]): Issue[] => messages.map((message) => ({ field, message }));

const a = (n: number) => 'a'.repeat(n);

describe('environment config schema: single fields', () => {
  const vpcFormat = 'must be an IPv4 CIDR such as 10.0.0.0/16';
  const vpcRange =
    'octets must be 0-255 and the prefix between /16 and /20 (room for three subnet tiers in three AZs)';
  const clientFormat = 'must be an IPv4 CIDR such as 203.0.113.0/24';
  const clientRange = 'octets must be 0-255 and the prefix between /8 and /32 (no internet-wide ranges)';
  const dns = 'must be a lower-case DNS name';
  const family = 'must be an EC2 family such as m7g';
  const instanceType = 'must be an EC2 instance type such as m7g.large';
  const dbClass = 'must be an RDS instance class such as db.r7g.large';
  const branch = 'must be a Git branch name';
  const tag = 'must be an immutable tag, never latest';
  const clientId = 'must be 1-128 letters, digits or . _ : - (an OAuth client id)';
  const amiAlias =
    'must be an EKS-optimized AL2023 release alias such as al2023@v20260512 (or al2023@latest outside production)';
  const amiRelease = 'must be an EKS AMI release version such as 1.34.7-20260512';

  // [field (dotted path), value, the messages reported on that field; [] = accepted]
  const rows: [string, unknown, string[]][] = [
    ['account', '123456789012', []],
    ['account', '12345678901', ['must be a 12-digit AWS account id']],
    ['account', '1234567890123', ['must be a 12-digit AWS account id']],
    ['account', 'x123456789012', ['must be a 12-digit AWS account id']],
    ['account', '123456789012x', ['must be a 12-digit AWS account id']],

    ['region', 'eu-central-1', []],
    ['region', 'ap-southeast-2', []],
    ['region', 'us-gov-west-1', []],
    ['region', 'europe', ['must be an AWS region such as eu-central-1']],
    ['region', 'eu-central', ['must be an AWS region such as eu-central-1']],
    ['region', 'EU-central-1', ['must be an AWS region such as eu-central-1']],
    ['region', '1eu-central-1', ['must be an AWS region such as eu-central-1']],
    ['region', 'eu-central-1a', ['must be an AWS region such as eu-central-1']],

    // The VPC: a /16 to /20, every octet 0-255.
    ['vpcCidr', '10.0.0.0/16', []],
    ['vpcCidr', '10.0.0.0/20', []],
    ['vpcCidr', '172.16.100.200/18', []],
    ['vpcCidr', '255.255.255.255/16', []],
    ['vpcCidr', '0.0.0.0/16', []],
    ['vpcCidr', '10.0.0.0/15', [vpcRange]],
    ['vpcCidr', '10.0.0.0/21', [vpcRange]],
    ['vpcCidr', '256.0.0.0/16', [vpcRange]],
    ['vpcCidr', '10.0.0.256/16', [vpcRange]],
    ['vpcCidr', '1000.0.0.0/16', [vpcFormat, vpcRange]],
    ['vpcCidr', '-1.0.0.0/16', [vpcFormat, vpcRange]],
    ['vpcCidr', '10.0.0/16', [vpcFormat]],
    ['vpcCidr', '10.0.0.0', [vpcFormat, vpcRange]],
    ['vpcCidr', '10.0.0.0.0/16', [vpcFormat]],
    ['vpcCidr', '10.0.0.0/16/16', [vpcFormat]],

    // Who may reach the public API endpoint: /8 to /32, never the whole internet.
    ['apiAllowedCidrs.0', '198.51.100.42/32', []],
    ['apiAllowedCidrs.0', '10.0.0.0/8', []],
    ['apiAllowedCidrs.0', '255.255.255.255/32', []],
    ['apiAllowedCidrs.0', '10.0.0.0/7', [clientRange]],
    ['apiAllowedCidrs.0', '192.0.2.1/33', [clientRange]],
    ['apiAllowedCidrs.0', '0.0.0.0/0', [clientRange]],
    ['apiAllowedCidrs.0', '256.0.2.1/32', [clientRange]],
    ['apiAllowedCidrs.0', '192.0.2.256/32', [clientRange]],
    ['apiAllowedCidrs.0', '203.0.113/24', [clientFormat]],
    ['apiAllowedCidrs.0', '203.0.113.0', [clientFormat, clientRange]],
    ['apiAllowedCidrs.0', '1.203.0.113.0/24', [clientFormat]],
    ['apiAllowedCidrs.0', '203.0.113.0/24/24', [clientFormat]],

    ['kubernetesVersion', '1.33', []],
    ['kubernetesVersion', '1.34', []],
    [
      'kubernetesVersion',
      '1.35',
      ['must be a Kubernetes minor version the platform pins add-ons for: 1.33, 1.34'],
    ],

    ['nodes.autoscaler', 'karpenter', []],
    ['nodes.autoscaler', 'cluster-autoscaler', []],
    ['nodes.autoscaler', 'keda', ['Invalid option: expected one of "karpenter"|"cluster-autoscaler"']],

    ['nodes.instanceFamilies', ['m7g', 'x2iedn', 'u-6tb1'], []],
    ['nodes.instanceFamilies', [], ['Too small: expected array to have >=1 items']],
    ['nodes.instanceFamilies.0', 'mg', [family]],
    ['nodes.instanceFamilies.0', 'M7g', [family]],
    ['nodes.instanceFamilies.0', '-m7g', [family]],
    ['nodes.instanceFamilies.0', 'm7g.', [family]],

    // Node images: a dated AL2023 release or latest (latest is refused for production, below).
    ['nodes.amiAlias', 'al2023@v20260512', []],
    ['nodes.amiAlias', 'al2023@latest', []],
    ['nodes.amiAlias', 'al2023@v2026051', [amiAlias]],
    ['nodes.amiAlias', 'al2023@20260512', [amiAlias]],
    ['nodes.amiAlias', 'al2@v20260512', [amiAlias]],
    ['nodes.amiAlias', 'bottlerocket@latest', [amiAlias]],
    ['nodes.amiAlias', 'AL2023@latest', [amiAlias]],
    ['nodes.amiAlias', 'al2023@v20260512 ', [amiAlias]],
    ['nodes.amiAlias', 'ami-0123456789abcdef0', [amiAlias]],
    ['nodes.amiAlias', 'my-al2023@latest', [amiAlias]],
    ['nodes.amiReleaseVersion', '1.34.7-20260512', []],
    ['nodes.amiReleaseVersion', '1.34-20260512', [amiRelease]],
    ['nodes.amiReleaseVersion', 'v20260512', [amiRelease]],
    ['nodes.amiReleaseVersion', '1.34.7-2026051', [amiRelease]],
    ['nodes.amiReleaseVersion', '1.34.7-20260512x', [amiRelease]],
    ['nodes.amiReleaseVersion', 'x1.34.7-20260512', [amiRelease]],
    // Well-formed, but for another Kubernetes minor version (dev runs 1.34).
    [
      'nodes.amiReleaseVersion',
      '11.34.7-20260512',
      ['must be a release for Kubernetes 1.34 (kubernetesVersion), got 11.34'],
    ],
    ['nodes.systemInstanceType', 'm7g.2xlarge', []],
    ['nodes.systemInstanceType', 't3.micro', []],
    ['nodes.systemInstanceType', 'u-6tb1.112xlarge', []],
    ['nodes.systemInstanceType', 'large', [instanceType]],
    ['nodes.systemInstanceType', 'm7g.', [instanceType]],
    ['nodes.systemInstanceType', 'm7g.Large', [instanceType]],
    ['nodes.systemInstanceType', '.m7g.large', [instanceType]],
    ['nodes.systemInstanceType', 'm7g.large!', [instanceType]],

    ['database.instanceClass', 'db.r7g.2xlarge', []],
    ['database.instanceClass', 'r7g.large', [dbClass]],
    ['database.instanceClass', 'db.r7g', [dbClass]],
    ['database.instanceClass', 'xdb.r7g.large', [dbClass]],
    ['database.instanceClass', 'db.r7g.large!', [dbClass]],

    ['retention.auditObjectLockMode', 'GOVERNANCE', []],
    ['retention.auditObjectLockMode', 'COMPLIANCE', []],
    [
      'retention.auditObjectLockMode',
      'LEGAL_HOLD',
      ['Invalid option: expected one of "GOVERNANCE"|"COMPLIANCE"'],
    ],

    // DNS names: labels of 1 to 63 characters, a top-level domain of 2 to 63 letters, 253 at most.
    ['domainName', 'bank.example.com', []],
    ['domainName', 'a.b-1.example.io', []],
    ['domainName', 'ab.example.com', []],
    ['domainName', `${a(63)}.example.com`, []],
    ['domainName', `example.${a(63)}`, []],
    ['domainName', `${a(63)}.${a(63)}.${a(63)}.${a(57)}.com`, []],
    ['domainName', `${a(64)}.example.com`, [dns]],
    ['domainName', `example.${a(64)}`, [dns]],
    ['domainName', `${a(63)}.${a(63)}.${a(63)}.${a(58)}.com`, [dns]],
    ['domainName', 'example.c', [dns]],
    ['domainName', 'example', [dns]],
    ['domainName', 'Bank.Example.com', [dns]],
    ['domainName', 'bank-.example.com', [dns]],
    ['domainName', '-bank.example.com', [dns]],
    ['domainName', 'bank.example.com.', [dns]],
    ['bankApi.hostname', 'api.dev.bank.example.com', []],
    ['bankApi.hostname', 'api_dev.bank.example.com', [dns]],
    ['bankWeb.hostname', 'app.dev.bank.example.com', []],
    ['bankWeb.hostname', 'App.dev.bank.example.com', [dns]],
    ['bankWeb.oidc.clientId', 'bank-web', []],
    ['bankWeb.oidc.clientId', 'urn:bank:web_2.0', []],
    ['bankWeb.oidc.clientId', 'a'.repeat(128), []],
    ['bankWeb.oidc.clientId', 'a'.repeat(129), [clientId]],
    ['bankWeb.oidc.clientId', '', [clientId]],
    ['bankWeb.oidc.clientId', 'bank web', [clientId]],
    ['bankWeb.imageTag', 'latest', [tag]],
    [
      'bankWeb.logLevel',
      'verbose',
      ['Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"'],
    ],
    ['bankWeb.replicas.min', 1, ['Too small: expected number to be >=2']],

    ['gitops.repoUrl', 'https://git.example.com/bank.git', []],
    ['gitops.repoUrl', 'http://example.com/repo.git', ['must be an https:// Git URL']],
    ['gitops.repoUrl', 'ssh://git@example.com/repo.git', ['must be an https:// Git URL']],
    ['gitops.repoUrl', 'example.com/repo.git', ['Invalid URL', 'must be an https:// Git URL']],
    ['gitops.branch', 'release/1.2_X-y', []],
    ['gitops.branch', ' manifests', [branch]],
    ['gitops.branch', 'manifests ', [branch]],
    ['gitops.branch', 'manifests~1', [branch]],
    ['gitops.path', 'a.b_c/d-1', []],
    ['gitops.path', 'Manifests/dev', ['must be a relative path in the manifests branch']],
    ['gitops.path', ' manifests/dev', ['must be a relative path in the manifests branch']],
    ['gitops.path', 'manifests/dev ', ['must be a relative path in the manifests branch']],

    ['ci.githubRepository', 'Example_Bank/bank.platform-2', []],
    ['ci.githubRepository', 'just-a-name', ['must be owner/name of a GitHub repository']],
    ['ci.githubRepository', 'a/b/c', ['must be owner/name of a GitHub repository']],
    ['ci.githubRepository', ' example-bank/bank-platform', ['must be owner/name of a GitHub repository']],
    ['ci.githubRepository', 'example-bank/bank-platform ', ['must be owner/name of a GitHub repository']],
    ['ci.imagePushBranch', 'release/2026.12_X-y', []],
    ['ci.imagePushBranch', ' main', [branch]],
    ['ci.imagePushBranch', 'main ', [branch]],
    ['ci.deployEnvironment', 'Prod_EU-1.a', []],
    ['ci.deployEnvironment', 'prod/eu', ['must be a GitHub environment name']],
    ['ci.deployEnvironment', ' prod', ['must be a GitHub environment name']],
    ['ci.deployEnvironment', 'prod ', ['must be a GitHub environment name']],

    ['alertEmail', 'oncall', ['Invalid email address']],
    // monthlyBudgetUsd's lower boundary is pinned in finops.test.ts: the service budgets and the anomaly
    // threshold must fit under it, so it cannot change alone.

    ['tags.project', '', ['Too small: expected string to have >=1 characters']],
    ['tags.costCenter', '', ['Too small: expected string to have >=1 characters']],
    ['tags.owner', '', ['Too small: expected string to have >=1 characters']],
    ['tags.dataClassification', 'public', []],
    ['tags.dataClassification', 'internal', []],
    ['tags.dataClassification', 'confidential', []],
    ['tags.dataClassification', 'restricted', []],
    [
      'tags.dataClassification',
      'secret',
      ['Invalid option: expected one of "public"|"internal"|"confidential"|"restricted"'],
    ],

    ['bankApi.imageRepository', '', ['Too small: expected string to have >=1 characters']],
    ['bankApi.imageTag', '1', []],
    ['bankApi.imageTag', '_build', []],
    ['bankApi.imageTag', 'v1.2.3-rc_1', []],
    ['bankApi.imageTag', 'latest-2026.12', []],
    ['bankApi.imageTag', `1${a(127)}`, []],
    ['bankApi.imageTag', `1${a(128)}`, [tag]],
    ['bankApi.imageTag', 'latest', [tag]],
    ['bankApi.imageTag', '.0.1.0', [tag]],
    ['bankApi.imageTag', '-1', [tag]],
    ['bankApi.imageTag', '0.1.0!', [tag]],
    ['bankApi.logLevel', 'fatal', []],
    ['bankApi.logLevel', 'error', []],
    ['bankApi.logLevel', 'warn', []],
    ['bankApi.logLevel', 'info', []],
    ['bankApi.logLevel', 'debug', []],
    ['bankApi.logLevel', 'trace', []],
    [
      'bankApi.logLevel',
      'verbose',
      ['Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"'],
    ],
    ['bankApi.oidc.issuer', 'https://login.example.com/realms/bank', []],
    ['bankApi.oidc.issuer', 'http://auth.bank.example.com/dev', ['must be an https:// issuer URL']],
    ['bankApi.oidc.audience', '', ['Too small: expected string to have >=1 characters']],
  ];

  it.each(rows)('%s = %j', (field, value, messages) => {
    expect(issuesOf(withValues(dev, { [field]: value }))).toEqual(on(field, messages));
  });

  // The name is also the environment's key, so each value is parsed under its own name.
  const names: [string, string[]][] = [
    ['ab', []],
    ['eu-2', []],
    ['abcdefghijklmnop', []],
    ['a', ['must be 2-16 lower-case letters, digits or dashes']],
    ['abcdefghijklmnopq', ['must be 2-16 lower-case letters, digits or dashes']],
    ['Dev', ['must be 2-16 lower-case letters, digits or dashes']],
    ['1dev', ['must be 2-16 lower-case letters, digits or dashes']],
    ['dev!', ['must be 2-16 lower-case letters, digits or dashes']],
  ];

  it.each(names)('name = %j', (name, messages) => {
    expect(issuesOf(withValues(dev, { name }))).toEqual(on('name', messages));
  });

  // Numbers at both ends of their range; the values on the other side carry zod's own message.
  const numbers: [string, number, string[]][] = [
    ['azCount', 2, []],
    ['azCount', 1, ['Too small: expected number to be >=2']],
    ['network.natGateways', 0, ['Too small: expected number to be >=1']],
    ['nodes.minCapacity', 1, []],
    ['nodes.minCapacity', 0, ['Too small: expected number to be >=1']],
    ['nodes.maxCapacity', 100, []],
    ['nodes.systemNodeCount', 10, []],
    ['nodes.systemNodeCount', 11, ['Too big: expected number to be <=10']],
    ['database.backupRetentionDays', 1, []],
    ['database.backupRetentionDays', 35, []],
    ['database.backupRetentionDays', 0, ['Too small: expected number to be >=1']],
    ['database.backupRetentionDays', 36, ['Too big: expected number to be <=35']],
    ['database.maxReaders', 15, []],
    ['database.maxReaders', 16, ['Too big: expected number to be <=15']],
    ['database.alarms.maxConnections', 10, []],
    ['database.alarms.maxConnections', 9, ['Too small: expected number to be >=10']],
    ['database.alarms.freeableMemoryMiB', 64, []],
    ['database.alarms.freeableMemoryMiB', 63, ['Too small: expected number to be >=64']],
    ['retention.backupsDays', 1, []],
    ['retention.backupsDays', 3650, []],
    ['retention.backupsDays', 0, ['Too small: expected number to be >=1']],
    ['retention.backupsDays', 3651, ['Too big: expected number to be <=3650']],
    ['retention.auditObjectLockDays', 1, []],
    ['retention.auditObjectLockDays', 3650, []],
    ['retention.auditObjectLockDays', 0, ['Too small: expected number to be >=1']],
    ['retention.auditObjectLockDays', 3651, ['Too big: expected number to be <=3650']],
    ['bankApi.replicas.min', 1, ['Too small: expected number to be >=2']],
    ['bankApi.resources.cpuRequestMillis', 1, []],
    ['bankApi.resources.cpuRequestMillis', 0, ['Too small: expected number to be >0']],
  ];

  it.each(numbers)('%s = %d', (field, value, messages) => {
    expect(issuesOf(withValues(dev, { [field]: value }))).toEqual(on(field, messages));
  });

  it('defaults the lists an environment may leave out to empty ones', () => {
    const bare = withValues(dev, { 'gitops.syncWindows': undefined, apiAllowedCidrs: undefined });
    const parsed = parseEnvironment('dev', bare);
    expect(parsed.gitops.syncWindows).toEqual([]);
    expect(parsed.apiAllowedCidrs).toEqual([]);
    // A production environment may leave the API allow-list out: the default is empty.
    expect(issuesOf(withValues(prod, { apiAllowedCidrs: undefined }))).toEqual([]);
  });
});

describe('environment config schema: sync windows', () => {
  const window = {
    kind: 'deny',
    description: 'Weekend change freeze',
    schedule: '0 18 * * 5',
    duration: '60h',
    timeZone: 'Europe/Berlin',
    manualSync: true,
  };
  const withWindow = withValues(dev, { 'gitops.syncWindows': [window] });
  const cron = 'must be a five-field cron schedule such as "0 18 * * 5"';
  const duration = 'must be a duration in hours or minutes such as 60h';
  const zone = 'must be an IANA time zone such as Europe/Berlin, in its exact case (no UTC offsets)';

  // [field of the window, value, messages on gitops.syncWindows.0.<field>; [] = accepted]
  const rows: [string, unknown, string[]][] = [
    ['kind', 'allow', []],
    ['kind', 'deny', []],
    ['kind', 'block', ['Invalid option: expected one of "allow"|"deny"']],
    ['description', 'x', []],
    ['description', '', ['Too small: expected string to have >=1 characters']],
    ['schedule', '*/15 6-18 * * 1-5', []],
    ['schedule', '0 18 * *', [cron]],
    ['schedule', '0 0 18 * * 5', [cron]],
    ['schedule', '0  18 * * 5', [cron]],
    ['schedule', ' 0 18 * * 5', [cron]],
    ['schedule', '0 18 * * 5 ', [cron]],
    ['duration', '1h', []],
    ['duration', '90m', []],
    ['duration', '120h', []],
    ['duration', '0h', [duration]],
    ['duration', '060h', [duration]],
    ['duration', '60', [duration]],
    ['duration', '2d', [duration]],
    ['duration', 'x60h', [duration]],
    ['duration', '60hx', [duration]],
    ['timeZone', 'UTC', []],
    ['timeZone', 'America/Argentina/Buenos_Aires', []],
    ['timeZone', 'Mars/Olympus', [zone]],
    ['timeZone', 'Europe/Berlin ', [zone]],
    // Argo CD (Go's time.LoadLocation) finds none of these, although Intl accepts them all.
    ['timeZone', 'europe/berlin', [zone]],
    ['timeZone', 'Europe/BERLIN', [zone]],
    ['timeZone', 'Europe/berlin', [zone]],
    ['timeZone', 'US/Pacific', []],
    // Intl resolves these to another zone (so its case check cannot see them); the name check must.
    ['timeZone', 'US/pacific', [zone]],
    ['timeZone', 'us/Pacific', [zone]],
    ['timeZone', 'America/Argentina/buenos_aires', [zone]],
    ['timeZone', '+01:00', [zone]],
    ['timeZone', 'Etc/GMT+1', []],
    ['manualSync', false, []],
  ];

  it.each(rows)('%s = %j', (field, value, messages) => {
    const raw = withValues(withWindow, { [`gitops.syncWindows.0.${field}`]: value });
    expect(issuesOf(raw)).toEqual(on(`gitops.syncWindows.0.${field}`, messages));
  });

  it('keeps the window as written', () => {
    expect(parseEnvironment('dev', withWindow).gitops.syncWindows).toEqual([
      {
        kind: 'deny',
        description: 'Weekend change freeze',
        schedule: '0 18 * * 5',
        duration: '60h',
        timeZone: 'Europe/Berlin',
        manualSync: true,
      },
    ]);
  });
});

describe('environment config schema: rules across fields', () => {
  // [what, base environment, changed values, the issues reported; [] = accepted]
  const rows: [string, Raw, Raw, Issue[]][] = [
    [
      'max capacity below min',
      dev,
      { 'nodes.maxCapacity': 1 },
      on('nodes.maxCapacity', ['must be >= nodes.minCapacity']),
    ],
    ['max capacity equal to min', dev, { 'nodes.minCapacity': 4, 'nodes.maxCapacity': 4 }, []],
    [
      'fewer system nodes than AZs',
      dev,
      { 'nodes.systemNodeCount': 2 },
      on('nodes.systemNodeCount', ['must be >= azCount (one system node per availability zone)']),
    ],
    ['one system node per AZ', dev, { azCount: 2, 'nodes.systemNodeCount': 2 }, []],
    [
      'max readers below readers',
      dev,
      { 'database.readers': 2 },
      on('database.maxReaders', ['must be >= database.readers']),
    ],
    ['max readers equal to readers', dev, { 'database.readers': 2, 'database.maxReaders': 2 }, []],
    [
      'max replicas below min',
      dev,
      { 'bankApi.replicas.min': 3, 'bankApi.replicas.max': 2 },
      on('bankApi.replicas.max', ['must be >= bankApi.replicas.min']),
    ],
    ['max replicas equal to min', dev, { 'bankApi.replicas.min': 3, 'bankApi.replicas.max': 3 }, []],
    [
      'web max replicas below min',
      dev,
      { 'bankWeb.replicas.min': 5, 'bankWeb.replicas.max': 4 },
      on('bankWeb.replicas.max', ['must be >= bankWeb.replicas.min']),
    ],
    [
      'web CPU limit below request',
      dev,
      { 'bankWeb.resources.cpuLimitMillis': 49 },
      on('bankWeb.resources.cpuLimitMillis', ['must be >= cpuRequestMillis']),
    ],
    [
      'web memory limit below request',
      dev,
      { 'bankWeb.resources.memoryLimitMiB': 95 },
      on('bankWeb.resources.memoryLimitMiB', ['must be >= memoryRequestMiB']),
    ],
    [
      'the web app on the API host',
      dev,
      { 'bankWeb.hostname': 'api.dev.bank.example.com' },
      on('bankWeb.hostname', [
        "must differ from bankApi.hostname (api.dev.bank.example.com): both route '/' on the shared ALB",
      ]),
    ],
    [
      'CPU limit below request',
      dev,
      { 'bankApi.resources.cpuRequestMillis': 250, 'bankApi.resources.cpuLimitMillis': 249 },
      on('bankApi.resources.cpuLimitMillis', ['must be >= cpuRequestMillis']),
    ],
    [
      'CPU limit equal to request',
      dev,
      { 'bankApi.resources.cpuRequestMillis': 250, 'bankApi.resources.cpuLimitMillis': 250 },
      [],
    ],
    [
      'memory limit below request',
      dev,
      { 'bankApi.resources.memoryRequestMiB': 256, 'bankApi.resources.memoryLimitMiB': 255 },
      on('bankApi.resources.memoryLimitMiB', ['must be >= memoryRequestMiB']),
    ],
    [
      'memory limit equal to request',
      dev,
      { 'bankApi.resources.memoryRequestMiB': 256, 'bankApi.resources.memoryLimitMiB': 256 },
      [],
    ],
    [
      'more NAT gateways than AZs',
      dev,
      { azCount: 2, 'nodes.systemNodeCount': 2, 'network.natGateways': 3 },
      on('network.natGateways', ['must be <= azCount (at most one NAT gateway per availability zone)']),
    ],
    ['one NAT gateway per AZ', dev, { azCount: 2, 'nodes.systemNodeCount': 2, 'network.natGateways': 2 }, []],

    // AWS Backup: the copy region, and a vault lock's window around the retention.
    [
      'backup copied within its own region',
      dev,
      { 'backup.copyRegion': 'eu-central-1' },
      on('backup.copyRegion', [
        'must differ from region (a copy in the same region survives nothing the original does not)',
      ]),
    ],
    ['backup copied to a second region', dev, { 'backup.copyRegion': 'eu-west-1' }, []],
    [
      'vault lock whose maximum equals its minimum',
      dev,
      { 'backup.vaultLock': { mode: 'GOVERNANCE', minRetentionDays: 7, maxRetentionDays: 7 } },
      on('backup.vaultLock.maxRetentionDays', ['must be greater than minRetentionDays']),
    ],
    [
      'vault lock one day wide, retention on its minimum',
      dev,
      { 'backup.vaultLock': { mode: 'GOVERNANCE', minRetentionDays: 7, maxRetentionDays: 8 } },
      [],
    ],
    [
      'retention on the vault lock maximum',
      dev,
      {
        'backup.retentionDays': 30,
        'backup.vaultLock': { mode: 'GOVERNANCE', minRetentionDays: 7, maxRetentionDays: 30 },
      },
      [],
    ],
    [
      'retention a day below the vault lock minimum',
      dev,
      {
        'backup.retentionDays': 6,
        'backup.vaultLock': { mode: 'GOVERNANCE', minRetentionDays: 7, maxRetentionDays: 30 },
      },
      on('backup.retentionDays', [
        'must lie within backup.vaultLock min/maxRetentionDays (the vault refuses other recovery points)',
      ]),
    ],
    [
      'retention a day above the vault lock maximum',
      dev,
      {
        'backup.retentionDays': 31,
        'backup.vaultLock': { mode: 'GOVERNANCE', minRetentionDays: 7, maxRetentionDays: 30 },
      },
      on('backup.retentionDays', [
        'must lie within backup.vaultLock min/maxRetentionDays (the vault refuses other recovery points)',
      ]),
    ],
    [
      'COMPLIANCE lock without a grace period',
      dev,
      { 'backup.vaultLock': { mode: 'COMPLIANCE', minRetentionDays: 7, maxRetentionDays: 30 } },
      on('backup.vaultLock.changeableForDays', [
        'a COMPLIANCE lock needs its grace period (at least 3 days)',
      ]),
    ],
    [
      'COMPLIANCE lock with a grace period',
      dev,
      {
        'backup.vaultLock': {
          mode: 'COMPLIANCE',
          minRetentionDays: 7,
          maxRetentionDays: 30,
          changeableForDays: 3,
        },
      },
      [],
    ],
    [
      'GOVERNANCE lock with a grace period',
      dev,
      {
        'backup.vaultLock': {
          mode: 'GOVERNANCE',
          minRetentionDays: 7,
          maxRetentionDays: 30,
          changeableForDays: 3,
        },
      },
      on('backup.vaultLock.changeableForDays', [
        'only a COMPLIANCE lock has a grace period; remove it for GOVERNANCE',
      ]),
    ],

    // Regional disaster recovery (docs/adr/0008) and the backups bucket's Object Lock.
    [
      'standby in the primary region',
      prod,
      { 'disasterRecovery.region': 'eu-central-1', 'backup.copyRegion': 'eu-central-1' },
      [
        ...on('backup.copyRegion', [
          'must differ from region (a copy in the same region survives nothing the original does not)',
        ]),
        ...on('disasterRecovery.region', [
          'must differ from region (a standby in the same region survives nothing the primary does not)',
        ]),
      ],
    ],
    [
      'standby outside the backup copy region',
      prod,
      { 'disasterRecovery.region': 'eu-north-1' },
      on('disasterRecovery.region', [
        'must equal backup.copyRegion (eu-west-1): a failover restores from the copied recovery points in the same region',
      ]),
    ],
    [
      'standby VPC inside the primary VPC',
      prod,
      { 'disasterRecovery.vpcCidr': '10.20.128.0/17' },
      on('disasterRecovery.vpcCidr', [
        'must not overlap vpcCidr (10.20.0.0/16); the two VPCs may need peering during a failover',
      ]),
    ],
    // Written from an address inside the block: the block is 10.20.128.0/17, inside the primary's.
    [
      'standby VPC written from a host address inside the primary VPC',
      prod,
      { 'disasterRecovery.vpcCidr': '10.20.200.0/17' },
      on('disasterRecovery.vpcCidr', [
        'must not overlap vpcCidr (10.20.0.0/16); the two VPCs may need peering during a failover',
      ]),
    ],
    ['standby VPC just below the primary VPC', prod, { 'disasterRecovery.vpcCidr': '10.19.0.0/16' }, []],
    [
      'global database on a burstable class',
      prod,
      { 'database.instanceClass': 'db.t4g.large' },
      on('database.instanceClass', [
        'an Aurora Global Database (disasterRecovery) needs a memory-optimized db.r* or db.x* class',
      ]),
    ],
    ['global database on a db.x class', prod, { 'database.instanceClass': 'db.x2g.large' }, []],
    [
      'backups locked longer than they are kept',
      prod,
      { 'backupsObjectLock.days': 2556 },
      on('backupsObjectLock.days', [
        'must be <= retention.backupsDays (objects would outlive their own expiry)',
      ]),
    ],
    ['backups locked exactly as long as they are kept', prod, { 'backupsObjectLock.days': 2555 }, []],
    [
      'production without a standby region',
      prod,
      { disasterRecovery: undefined },
      on('disasterRecovery', ['a production environment keeps a standby in a second region (docs/adr/0008)']),
    ],
    [
      'production backups bucket locked in GOVERNANCE mode',
      prod,
      { 'backupsObjectLock.mode': 'GOVERNANCE' },
      on('backupsObjectLock', ['a production environment locks its backups bucket in COMPLIANCE mode']),
    ],
    [
      'production backups bucket without Object Lock',
      prod,
      { backupsObjectLock: undefined },
      on('backupsObjectLock', ['a production environment locks its backups bucket in COMPLIANCE mode']),
    ],

    // The production tier's guard rails, one at a time; prod itself sits on every boundary.
    ['prod as checked in', prod, {}, []],
    [
      'production backup vault locked in GOVERNANCE mode',
      prod,
      { 'backup.vaultLock': { mode: 'GOVERNANCE', minRetentionDays: 35, maxRetentionDays: 2555 } },
      on('backup.vaultLock', ['a production environment locks its backup vault in COMPLIANCE mode']),
    ],
    [
      'production backup vault without a lock',
      prod,
      { 'backup.vaultLock': undefined },
      on('backup.vaultLock', ['a production environment locks its backup vault in COMPLIANCE mode']),
    ],
    [
      'production backups kept in one region',
      prod,
      { 'backup.copyRegion': undefined },
      [
        ...on('backup.copyRegion', ['a production environment copies its backups to a second region']),
        ...on('disasterRecovery.region', [
          'must equal backup.copyRegion (unset): a failover restores from the copied recovery points in the same region',
        ]),
      ],
    ],
    [
      'production in two AZs',
      prod,
      { azCount: 2, 'network.natGateways': 2 },
      on('azCount', ['a production environment must span 3 availability zones']),
    ],
    [
      'production with fewer NAT gateways than AZs',
      prod,
      { 'network.natGateways': 2 },
      on('network.natGateways', ['a production environment keeps one NAT gateway per availability zone']),
    ],
    [
      'production audit lock in GOVERNANCE mode',
      prod,
      { 'retention.auditObjectLockMode': 'GOVERNANCE' },
      on('retention.auditObjectLockMode', [
        'a production environment locks audit evidence in COMPLIANCE mode',
      ]),
    ],
    [
      'production with 2 replicas',
      prod,
      { 'bankApi.replicas.min': 2 },
      on('bankApi.replicas.min', ['a production environment needs at least 3 replicas']),
    ],
    [
      'production with 2 web replicas',
      prod,
      { 'bankWeb.replicas.min': 2 },
      on('bankWeb.replicas.min', ['a production environment needs at least 3 replicas']),
    ],
    [
      'production without deletion protection',
      prod,
      { 'database.deletionProtection': false },
      on('database.deletionProtection', ['a production environment must keep deletion protection on']),
    ],
    [
      'production keeping backups 34 days',
      prod,
      { 'database.backupRetentionDays': 34 },
      on('database.backupRetentionDays', ['a production environment keeps backups for 35 days']),
    ],
    [
      'production API open to a client range',
      prod,
      { apiAllowedCidrs: ['203.0.113.0/24'] },
      on('apiAllowedCidrs', [
        'a production environment keeps the Kubernetes API endpoint private; leave this empty',
      ]),
    ],
    [
      'production scaling readers to 4',
      prod,
      { 'database.maxReaders': 4 },
      on('database.maxReaders', ['a production environment scales readers up to 5']),
    ],
    [
      'production following the latest node AMI',
      prod,
      { 'nodes.amiAlias': 'al2023@latest', 'nodes.amiReleaseVersion': undefined },
      [
        ...on('nodes.amiAlias', [
          'a production environment pins its node AMI to a dated release (al2023@vYYYYMMDD); @latest would roll nodes onto an unreviewed image',
        ]),
        ...on('nodes.amiReleaseVersion', [
          'a production environment pins the managed node groups to the AMI release of nodes.amiAlias (such as 1.34.7-20260512)',
        ]),
      ],
    ],
    [
      'production pinning Karpenter but not the node groups',
      prod,
      { 'nodes.amiReleaseVersion': undefined },
      on('nodes.amiReleaseVersion', [
        'a production environment pins the managed node groups to the AMI release of nodes.amiAlias (such as 1.34.7-20260512)',
      ]),
    ],
    [
      'node group AMI of another release than Karpenter',
      prod,
      { 'nodes.amiReleaseVersion': '1.34.7-20260505' },
      on('nodes.amiReleaseVersion', [
        'must be the release nodes.amiAlias pins (v20260512), so every node runs one AMI release',
      ]),
    ],
    [
      'node group AMI for another Kubernetes version',
      prod,
      { 'nodes.amiReleaseVersion': '1.33.11-20260512' },
      on('nodes.amiReleaseVersion', ['must be a release for Kubernetes 1.34 (kubernetesVersion), got 1.33']),
    ],
    [
      'a pinned node group AMI beside a following alias',
      dev,
      { 'nodes.amiReleaseVersion': '1.34.7-20260512' },
      [],
    ],
    [
      'production above every minimum',
      prod,
      { 'bankApi.replicas.min': 4, 'database.maxReaders': 6, 'database.readers': 2 },
      [],
    ],
    [
      'non-production below every production minimum',
      dev,
      {
        azCount: 2,
        'nodes.systemNodeCount': 2,
        'network.natGateways': 1,
        'retention.auditObjectLockMode': 'GOVERNANCE',
        'bankApi.replicas.min': 2,
        'database.deletionProtection': false,
        'database.backupRetentionDays': 1,
        'database.maxReaders': 1,
        apiAllowedCidrs: ['203.0.113.0/24'],
        'nodes.amiAlias': 'al2023@latest',
      },
      [],
    ],
  ];

  it.each(rows)('%s', (_what, base, values, expected) => {
    const raw = withValues(base, values);
    expect(issuesOf(raw)).toEqual(expected);
    // The exported schema reports these as custom issues (zod's code for a refinement's finding).
    const result = EnvironmentConfigSchema.safeParse(raw);
    expect(result.error?.issues.map((issue) => issue.code) ?? []).toEqual(expected.map(() => 'custom'));
  });

  it('reports every broken rule of a production environment at once', () => {
    const raw = withValues(prod, {
      azCount: 2,
      'network.natGateways': 1,
      'bankApi.replicas.min': 2,
      'database.maxReaders': 4,
    });
    expect(issuesOf(raw)).toEqual([
      { field: 'azCount', message: 'a production environment must span 3 availability zones' },
      {
        field: 'network.natGateways',
        message: 'a production environment keeps one NAT gateway per availability zone',
      },
      { field: 'bankApi.replicas.min', message: 'a production environment needs at least 3 replicas' },
      { field: 'database.maxReaders', message: 'a production environment scales readers up to 5' },
    ]);
  });
});

describe('environment config schema: disaster recovery and the backups lock (docs/adr/0008)', () => {
  const rows: [string, Raw, Raw, Issue[]][] = [
    ['dev without a standby region or backups lock', dev, {}, []],
    [
      'production without a standby region',
      prod,
      { disasterRecovery: undefined },
      on('disasterRecovery', ['a production environment keeps a standby in a second region (docs/adr/0008)']),
    ],
    [
      'standby in the primary region',
      prod,
      { 'disasterRecovery.region': 'eu-central-1' },
      on('disasterRecovery.region', [
        'must differ from region (a standby in the same region survives nothing the primary does not)',
        'must equal backup.copyRegion (eu-west-1): a failover restores from the copied recovery points in the same region',
      ]),
    ],
    [
      'standby in another region than the backup copies',
      prod,
      { 'disasterRecovery.region': 'eu-north-1' },
      on('disasterRecovery.region', [
        'must equal backup.copyRegion (eu-west-1): a failover restores from the copied recovery points in the same region',
      ]),
    ],
    [
      'standby without backup copies',
      dev,
      {
        disasterRecovery: { region: 'eu-west-1', vpcCidr: '10.11.0.0/16' },
        'database.instanceClass': 'db.r7g.large',
      },
      on('disasterRecovery.region', [
        'must equal backup.copyRegion (unset): a failover restores from the copied recovery points in the same region',
      ]),
    ],
    [
      'standby VPC overlapping the primary one',
      prod,
      { 'disasterRecovery.vpcCidr': '10.20.16.0/20' },
      on('disasterRecovery.vpcCidr', [
        'must not overlap vpcCidr (10.20.0.0/16); the two VPCs may need peering during a failover',
      ]),
    ],
    ['standby VPC right next to the primary one', prod, { 'disasterRecovery.vpcCidr': '10.21.0.0/20' }, []],
    [
      'standby with a burstable database class',
      prod,
      { 'database.instanceClass': 'db.t4g.medium' },
      on('database.instanceClass', [
        'an Aurora Global Database (disasterRecovery) needs a memory-optimized db.r* or db.x* class',
      ]),
    ],
    [
      'production backups lock in GOVERNANCE mode',
      prod,
      { 'backupsObjectLock.mode': 'GOVERNANCE' },
      on('backupsObjectLock', ['a production environment locks its backups bucket in COMPLIANCE mode']),
    ],
    [
      'production without a backups lock',
      prod,
      { backupsObjectLock: undefined },
      on('backupsObjectLock', ['a production environment locks its backups bucket in COMPLIANCE mode']),
    ],
    [
      'backups lock longer than the backups expire',
      dev,
      { backupsObjectLock: { mode: 'GOVERNANCE', days: 91 } },
      on('backupsObjectLock.days', [
        'must be <= retention.backupsDays (objects would outlive their own expiry)',
      ]),
    ],
    [
      'backups lock as long as the backups live',
      dev,
      { backupsObjectLock: { mode: 'GOVERNANCE', days: 90 } },
      [],
    ],
  ];

  it.each(rows)('%s', (_what, base, values, expected) => {
    expect(issuesOf(withValues(base, values))).toEqual(expected);
  });

  it('refuses unknown fields in the disasterRecovery block', () => {
    expect(issuesOf(withValues(prod, { 'disasterRecovery.zone': 'a' }))).toEqual(
      on('disasterRecovery.zone', ['unknown field']),
    );
  });
});

// The organisation every name derives from, and the problem type base derived from it.
describe('environment config schema: the organisation and the problem type base', () => {
  const problemBase =
    "must be an absolute https:// URL ending in '/', without query or fragment, such as https://example.com/problems/";
  const rows: [string, unknown, string[]][] = [
    ['bankApi.problemTypeBase', 'https://bank.test/problems/', []],
    ['bankApi.problemTypeBase', 'https://bank.test/', []],
    ['bankApi.problemTypeBase', 'https://bank.test:8443/errors/v1/', []],
    ['bankApi.problemTypeBase', 'https://bank.test/problems', [problemBase]],
    ['bankApi.problemTypeBase', 'http://bank.test/problems/', [problemBase]],
    ['bankApi.problemTypeBase', '/problems/', [problemBase]],
    ['bankApi.problemTypeBase', 'https://bank.test/problems/?v=1/', [problemBase]],
    ['bankApi.problemTypeBase', 'https://bank.test/problems/#x/', [problemBase]],
    ['bankApi.problemTypeBase', 'https://Bank.test/problems/', [problemBase]],
    ['bankApi.problemTypeBase', 'https://bank.test:443/problems/', [problemBase]],
    ['bankApi.problemTypeBase', 'https://bank.test/a b/', [problemBase]],
    ['bankApi.problemTypeBase', '', [problemBase]],
    ['bankApi.problemTypeBase', undefined, ['Invalid input: expected string, received undefined']],
    ['staffSsoIssuer', 'https://sso.bank.test', []],
    ['staffSsoIssuer', 'https://login.bank.test/realms/staff', []],
    ['staffSsoIssuer', 'http://sso.bank.test', ['must be an https:// issuer URL']],
    ['staffSsoIssuer', 'sso.bank.test', ['Invalid URL', 'must be an https:// issuer URL']],
    ['staffSsoIssuer', undefined, ['Invalid input: expected string, received undefined']],
  ];

  it.each(rows)('%s = %j', (field, value, messages) => {
    expect(issuesOf(withValues(dev, { [field]: value }))).toEqual(on(field, messages));
  });

  /** The issues loadOrganisation reports for the organisation with `values` ([] when accepted). */
  function organisationIssues(values: Raw): Issue[] {
    try {
      loadOrganisation(withValues(rawOrganisation as unknown as Raw, values));
      return [];
    } catch (error) {
      if (error instanceof EnvironmentConfigError) {
        expect(error.environment).toBe('organisation');
        for (const issue of error.issues) expect(error.message).toContain(`organisation.${issue.field}: `);
        return error.issues;
      }
      throw error;
    }
  }

  const dns = 'must be a lower-case DNS name';
  const repository = 'must be owner/name of a GitHub repository';
  const organisationRows: [string, unknown, string[]][] = [
    ['domain', 'bank.example.com', []],
    ['domain', 'ab.cd', []],
    ['domain', `${a(63)}.example.com`, []],
    ['domain', `${a(64)}.example.com`, [dns]],
    ['domain', `${`${a(61)}.`.repeat(4)}abcde`, []],
    ['domain', `${`${a(61)}.`.repeat(4)}abcdef`, [dns]],
    ['domain', 'Bank.example.com', [dns]],
    ['domain', 'bank.example.com/', [dns]],
    ['domain', 'bank', [dns]],
    ['domain', '', [dns]],
    ['githubRepository', 'Example_Bank/bank.platform-2', []],
    ['githubRepository', 'example-bank', [repository]],
    ['githubRepository', 'a/b/c', [repository]],
    ['githubRepository', ' a/b', [repository]],
    ['githubRepository', 'a/b ', [repository]],
  ];

  it.each(organisationRows)('organisation.%s = %j', (field, value, messages) => {
    expect(organisationIssues({ [field]: value })).toEqual(on(field, messages));
  });

  it('refuses unknown and missing organisation fields', () => {
    expect(organisationIssues({ domian: 'x.test' })).toEqual(on('domian', ['unknown field']));
    expect(organisationIssues({ domain: undefined })).toEqual(
      on('domain', ['Invalid input: expected string, received undefined']),
    );
  });

  it('the checked-in environments derive their names from the organisation', () => {
    const { domain, githubRepository } = loadOrganisation();
    for (const raw of [dev, prod]) {
      const env = parseEnvironment(raw.name as string, raw);
      expect(env.domainName).toBe(domain);
      expect(env.ci.githubRepository).toBe(githubRepository);
      expect(env.gitops.repoUrl).toBe(`https://github.com/${githubRepository}.git`);
      expect(env.bankApi.problemTypeBase).toBe(`https://${domain}/problems/`);
      for (const name of [env.bankApi.hostname, env.alertEmail.split('@')[1] ?? '']) {
        expect(name.endsWith(`.${domain}`) || name === domain).toBe(true);
      }
      expect(new URL(env.bankApi.oidc.issuer).hostname.endsWith(`.${domain}`)).toBe(true);
      expect(new URL(env.staffSsoIssuer).hostname.endsWith(`.${domain}`)).toBe(true);
      expect(env.bankApi.imageRepository.startsWith(`${env.account}.dkr.ecr.${env.region}.`)).toBe(true);
    }
  });
});
