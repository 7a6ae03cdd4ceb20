import { describe, expect, it } from 'vitest';
import { placeholderRawConfig } from '../../test/support/placeholder-config.js';
import { withValues } from '../../test/support/raw-config.js';
import { rawEnvironments } from './environments.js';
import { loadEnvironments, loadOrganisation, parseEnvironment } from './index.js';
import {
  isPlaceholderAccount,
  isPlaceholderDomain,
  isPlaceholderRepository,
  placeholderFields,
  placeholderReport,
  placeholderWarning,
} from './placeholders.js';

// Which config values are placeholders, and what an operator reads about them.

type Raw = Record<string, unknown>;

/** `text` as a regular expression matching it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A real-looking organisation and environment: nothing in them is a placeholder. */
const bank = { domain: 'bank.eu', githubRepository: 'acme-bank/platform' };
const realDev = parseEnvironment(
  'dev',
  withValues(rawEnvironments.dev as Raw, {
    account: '406532918877',
    domainName: 'bank.eu',
    alertEmail: 'oncall@bank.eu',
    'bankApi.hostname': 'api.dev.bank.eu',
    'bankApi.oidc.issuer': 'https://auth.bank.eu/dev',
    'bankApi.oidc.audience': 'https://api.dev.bank.eu',
    'bankApi.problemTypeBase': 'https://bank.eu/problems/',
    staffSsoIssuer: 'https://sso.bank.eu',
    'bankApi.imageRepository': '406532918877.dkr.ecr.eu-central-1.amazonaws.com/bank-api',
    'bankWeb.hostname': 'app.dev.bank.eu',
    'bankWeb.imageRepository': '406532918877.dkr.ecr.eu-central-1.amazonaws.com/bank-web',
    'ci.githubRepository': 'acme-bank/platform',
    'gitops.repoUrl': 'https://github.com/acme-bank/platform.git',
  }),
);
const changed = (values: Raw) => parseEnvironment('dev', withValues(realDev as unknown as Raw, values));

/** The committed config with the shipped placeholders (test/support/placeholder-config.ts). */
const shipped = placeholderRawConfig();
const shippedOrganisation = loadOrganisation(shipped.organisation);
const shippedEnvironments = loadEnvironments(shipped.environments);

/** The committed config, whatever the bank has set in it. */
const committedOrganisation = loadOrganisation();
const committedEnvironments = loadEnvironments();

/**
 * The fields of the committed config that hold a placeholder, by the predicates alone: the
 * organisation's domain and repository and each environment's account (everything else in
 * environments.ts is derived from these).
 */
const committedPlaceholders = (): { field: string; value: string }[] => [
  ...(isPlaceholderDomain(committedOrganisation.domain)
    ? [{ field: 'organisation.domain', value: committedOrganisation.domain }]
    : []),
  ...(isPlaceholderRepository(committedOrganisation.githubRepository)
    ? [{ field: 'organisation.githubRepository', value: committedOrganisation.githubRepository }]
    : []),
  ...committedEnvironments
    .filter((env) => isPlaceholderAccount(env.account))
    .map((env) => ({ field: `environments.${env.name}.account`, value: env.account })),
];

describe('placeholder values', () => {
  it.each([
    ['111111111111', true],
    ['999999999999', true],
    ['000000000000', true],
    ['123456789012', true],
    ['111122223333', true],
    ['444455556666', true],
    ['777788889999', true],
    ['111111111112', false],
    ['211111111111', false],
    ['123456789013', false],
    ['406532918877', false],
  ])('account %s is a placeholder: %s', (account, expected) => {
    expect(isPlaceholderAccount(account)).toBe(expected);
  });

  it.each([
    ['example.com', true],
    ['bank.example.com', true],
    ['bank.example.net', true],
    ['bank.example.org', true],
    ['bank.example', true],
    ['bank.test', true],
    ['bank.invalid', true],
    ['bank.localhost', true],
    ['Bank.Example.COM', true],
    ['bank.eu', false],
    ['myexample.com', false],
    ['example.com.eu', false],
    ['bank.testing', false],
    ['examples.org', false],
  ])('domain %s is a placeholder: %s', (domain, expected) => {
    expect(isPlaceholderDomain(domain)).toBe(expected);
  });

  it.each([
    ['example/bank', true],
    ['example-bank/bank-platform', true],
    ['Example-Bank/x', true],
    ['acme-bank/platform', false],
    ['examplebank/platform', false],
    ['bank/example-bank', false],
  ])('repository %s is a placeholder: %s', (repository, expected) => {
    expect(isPlaceholderRepository(repository)).toBe(expected);
  });
});

describe('placeholderFields', () => {
  it('finds none in a real organisation and environment', () => {
    expect(placeholderFields(bank, [realDev])).toEqual([]);
  });

  it('names every placeholder the shipped config holds, by the field to set', () => {
    expect(placeholderFields(shippedOrganisation, shippedEnvironments).map((p) => p.field)).toEqual([
      'organisation.domain',
      'organisation.githubRepository',
      'environments.dev.account',
      'environments.prod.account',
    ]);
  });

  it("names exactly the committed config's placeholders, with their values (none once the bank set its own)", () => {
    expect(
      placeholderFields(committedOrganisation, committedEnvironments).map(({ field, value }) => ({
        field,
        value,
      })),
    ).toEqual(committedPlaceholders());
  });

  it('reports the organisation once, not every name derived from it', () => {
    const organisation = { domain: 'bank.example.com', githubRepository: 'example-bank/bank-platform' };
    const derived = changed({
      domainName: 'bank.example.com',
      alertEmail: 'oncall@bank.example.com',
      'bankApi.hostname': 'api.dev.bank.example.com',
      'bankWeb.hostname': 'app.dev.bank.example.com',
      'bankApi.problemTypeBase': 'https://bank.example.com/problems/',
      staffSsoIssuer: 'https://sso.bank.example.com',
      'ci.githubRepository': 'example-bank/bank-platform',
      'gitops.repoUrl': 'https://github.com/example-bank/bank-platform.git',
    });
    expect(placeholderFields(organisation, [derived]).map((p) => p.field)).toEqual([
      'organisation.domain',
      'organisation.githubRepository',
    ]);
  });

  it.each([
    ['domainName', 'bank.example.org'],
    ['alertEmail', 'oncall@bank.test'],
    ['bankApi.hostname', 'api.example.com'],
    ['bankApi.oidc.issuer', 'https://auth.example.com/dev'],
    ['bankApi.oidc.audience', 'https://api.example.com'],
    ['bankApi.problemTypeBase', 'https://example.com/problems/'],
    ['staffSsoIssuer', 'https://sso.example.org'],
    ['ci.githubRepository', 'example-bank/bank-platform'],
    ['gitops.repoUrl', 'https://github.com/example/bank-platform.git'],
    ['bankApi.imageRepository', '123456789012.dkr.ecr.eu-central-1.amazonaws.com/bank-api'],
    ['bankWeb.hostname', 'app.example.com'],
    ['bankWeb.imageRepository', '123456789012.dkr.ecr.eu-central-1.amazonaws.com/bank-web'],
  ])('names a placeholder typed into the environment by hand: %s', (field, value) => {
    expect(placeholderFields(bank, [changed({ [field]: value })])).toEqual([
      { field: `environments.dev.${field}`, value, reason: expect.any(String) },
    ]);
  });

  it('leaves a repository on another Git server alone', () => {
    expect(
      placeholderFields(bank, [changed({ 'gitops.repoUrl': 'https://git.bank.eu/example/x.git' })]),
    ).toEqual([]);
  });

  it('names the account once when the registry is in the same account', () => {
    const env = changed({
      account: '111111111111',
      'bankApi.imageRepository': '111111111111.dkr.ecr.eu-central-1.amazonaws.com/bank-api',
    });
    expect(placeholderFields(bank, [env])).toEqual([
      { field: 'environments.dev.account', value: '111111111111', reason: 'an AWS documentation account id' },
    ]);
  });
});

describe('what an operator reads', () => {
  it('each field, the file to set it in, its value and why it is a placeholder', () => {
    const report = placeholderReport(placeholderFields(shippedOrganisation, shippedEnvironments));
    expect(report.split('\n')).toEqual([
      "  - organisation.domain (platform/config/environments.ts): 'bank.example.com' is a domain reserved for documentation (RFC 2606/6761)",
      "  - organisation.githubRepository (platform/config/environments.ts): 'example-bank/bank-platform' is a repository of an example GitHub owner, which anyone may register",
      "  - environments.dev.account (platform/config/environments.ts): '111111111111' is an AWS documentation account id",
      "  - environments.prod.account (platform/config/environments.ts): '222222222222' is an AWS documentation account id",
    ]);
  });

  it('the synth warning names the fields and the credentials account, and is absent without placeholders', () => {
    const warning = placeholderWarning(shippedOrganisation, shippedEnvironments, '406532918877');
    expect(warning).toMatch(/^WARNING: placeholder values in the environment config/);
    expect(warning).toContain('cdk deploy (your AWS credentials are for account 406532918877)');
    expect(warning).toContain('environments.prod.account (platform/config/environments.ts)');
    expect(warning).toContain('npm run infra:deploy');
    expect(placeholderWarning(shippedOrganisation, shippedEnvironments)).not.toContain('credentials');
    expect(placeholderWarning(bank, [realDev], '406532918877')).toBeUndefined();
  });

  it('the committed config: a warning naming each of its placeholders, or none when it has none', () => {
    const placeholders = committedPlaceholders();
    const warning = placeholderWarning(committedOrganisation, committedEnvironments, '406532918877');
    if (placeholders.length === 0) {
      expect(warning).toBeUndefined();
      return;
    }
    expect(warning).toMatch(/^WARNING: placeholder values in the environment config/);
    expect(warning?.split('\n').filter((line) => line.startsWith('  - '))).toEqual(
      placeholders.map(({ field, value }) =>
        expect.stringMatching(
          new RegExp(
            `^  - ${literally(field)} \\(platform/config/environments\\.ts\\): '${literally(value)}' is `,
          ),
        ),
      ),
    );
  });
});
