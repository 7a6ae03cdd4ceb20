import type { EnvironmentConfig, Organisation } from './schema.js';

// Which config values are placeholders. The repository ships with values nobody can own:
// a domain reserved for documentation, an example GitHub owner and the account ids AWS's own
// documentation uses. Synth works with them (tests and CI synthesize offline); `cdk diff` and
// `cdk deploy` need the bank's real values, so platform/bin/platform.ts warns at every synth and
// platform/bin/cdk-guard.ts (`npm run infra:diff`, `infra:deploy`) refuses to run with them.

/** Where every value below is set. */
export const CONFIG_FILE = 'platform/config/environments.ts';

/** Account ids from AWS's documentation and examples; no bank's account has one of these. */
const DOCUMENTATION_ACCOUNTS: ReadonlySet<string> = new Set([
  '123456789012',
  '111122223333',
  '444455556666',
  '777788889999',
]);

/** A documentation account id: one of those above, or a single digit twelve times (111111111111). */
export const isPlaceholderAccount = (account: string): boolean =>
  DOCUMENTATION_ACCOUNTS.has(account) || /^(\d)\1{11}$/.test(account);

/**
 * A name under a domain reserved for documentation and testing: example.com, example.net, example.org
 * (RFC 2606) and the .example, .test, .invalid and .localhost top-level domains (RFC 6761).
 */
export const isPlaceholderDomain = (name: string): boolean =>
  /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/.test(name.toLowerCase());

/** A GitHub repository of an example owner (`example`, `example-bank`, ...), which anyone may register. */
export const isPlaceholderRepository = (repository: string): boolean =>
  /^example(-[^/]*)?\//i.test(repository);

export interface Placeholder {
  /** The config field, as `organisation.<field>` or `environments.<name>.<field>`. */
  readonly field: string;
  readonly value: string;
  readonly reason: string;
}

const reserved = 'a domain reserved for documentation (RFC 2606/6761)';
const exampleOwner = 'a repository of an example GitHub owner, which anyone may register';

/** The host a field names: itself, a URL's host or an e-mail address's domain. */
function hostOf(value: string): string {
  if (URL.canParse(value)) return new URL(value).hostname;
  return value.includes('@') ? (value.split('@').pop() ?? '') : value;
}

const within = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** `owner/name` of a github.com URL, or undefined for any other host. */
function githubRepositoryOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.hostname === 'github.com'
    ? parsed.pathname.replace(/^\//, '').replace(/\.git$/, '')
    : undefined;
}

/**
 * Every placeholder the organisation and these environments still hold. A field derived from a
 * placeholder organisation field (a hostname under organisation.domain) is covered by that field's
 * entry; the same value typed into an environment by hand is reported on its own.
 */
export function placeholderFields(
  organisation: Organisation,
  environments: readonly EnvironmentConfig[],
): Placeholder[] {
  const found: Placeholder[] = [];
  if (isPlaceholderDomain(organisation.domain))
    found.push({ field: 'organisation.domain', value: organisation.domain, reason: reserved });
  if (isPlaceholderRepository(organisation.githubRepository))
    found.push({
      field: 'organisation.githubRepository',
      value: organisation.githubRepository,
      reason: exampleOwner,
    });
  for (const env of environments) {
    const field = (name: string) => `environments.${env.name}.${name}`;
    if (isPlaceholderAccount(env.account))
      found.push({ field: field('account'), value: env.account, reason: 'an AWS documentation account id' });
    for (const service of ['bankApi', 'bankWeb'] as const) {
      const repository = env[service].imageRepository;
      const registryAccount = repository.split('.')[0] ?? '';
      if (registryAccount !== env.account && isPlaceholderAccount(registryAccount))
        found.push({
          field: field(`${service}.imageRepository`),
          value: repository,
          reason: 'a registry in an AWS documentation account',
        });
    }
    const named: [string, string][] = [
      ['domainName', env.domainName],
      ['alertEmail', env.alertEmail],
      ['bankApi.hostname', env.bankApi.hostname],
      ['bankApi.oidc.issuer', env.bankApi.oidc.issuer],
      ['bankApi.oidc.audience', env.bankApi.oidc.audience],
      ['bankApi.problemTypeBase', env.bankApi.problemTypeBase],
      ['bankWeb.hostname', env.bankWeb.hostname],
      ['staffSsoIssuer', env.staffSsoIssuer],
    ];
    for (const [name, value] of named) {
      const host = hostOf(value);
      if (isPlaceholderDomain(host) && !within(host, organisation.domain))
        found.push({ field: field(name), value, reason: reserved });
    }
    const repositories: [string, string | undefined][] = [
      ['ci.githubRepository', env.ci.githubRepository],
      ['gitops.repoUrl', githubRepositoryOf(env.gitops.repoUrl)],
    ];
    for (const [name, repository] of repositories) {
      if (repository && isPlaceholderRepository(repository) && repository !== organisation.githubRepository)
        found.push({
          field: field(name),
          value: name === 'gitops.repoUrl' ? env.gitops.repoUrl : repository,
          reason: exampleOwner,
        });
    }
  }
  return found;
}

/** What an operator reads: each field to set, where, and why its value is a placeholder. */
export function placeholderReport(placeholders: readonly Placeholder[]): string {
  return placeholders.map((p) => `  - ${p.field} (${CONFIG_FILE}): '${p.value}' is ${p.reason}`).join('\n');
}

/**
 * The warning every synth prints while placeholders remain (undefined when none do). `cdkAccount` is
 * the account of the credentials the CDK CLI found (CDK_DEFAULT_ACCOUNT), when it found any.
 */
export function placeholderWarning(
  organisation: Organisation,
  environments: readonly EnvironmentConfig[],
  cdkAccount?: string,
): string | undefined {
  const placeholders = placeholderFields(organisation, environments);
  if (placeholders.length === 0) return undefined;
  const credentials = cdkAccount ? ` (your AWS credentials are for account ${cdkAccount})` : '';
  return (
    `WARNING: placeholder values in the environment config; synth works with them, cdk diff and cdk deploy${credentials} need the bank's own. Set:\n` +
    `${placeholderReport(placeholders)}\n` +
    '`npm run infra:diff` and `npm run infra:deploy` refuse to run until the environments they reach have none.'
  );
}
