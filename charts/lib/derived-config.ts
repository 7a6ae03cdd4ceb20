import type { EnvironmentConfig } from '../../platform/config/index.js';
import { auroraSecretName, resourceName } from '../../platform/lib/shared/naming.js';

// Values the charts need that the environment config does not carry (yet). Names of AWS resources the
// CDK app creates come from its own naming module, so both sides always agree; the rest is derived
// from config fields and listed in docs/manifests.md as fields the config should own.

/** Branch whose docs the alert runbook links point at. */
const DOCS_BRANCH = 'main';

export interface DerivedPlatformValues {
  /** Name of the regional WAFv2 web ACL the ALB attaches (the CDK app must create it under this name). */
  readonly wafAclName: string;
  /** Secrets Manager secret (JSON: host, port, username, password, dbname) holding bank-api's database login. */
  readonly databaseSecretName: string;
  /** CIDRs the database lives in; the VPC CIDR until the config names the isolated subnets. */
  readonly databaseCidrs: readonly string[];
  /** OIDC issuer, audience and JWKS for bank-api's bearer tokens. */
  readonly oidc: { readonly issuer: string; readonly audience: string; readonly jwksUri: string };
  /** Base URL of docs/runbooks/ in the repository browser, for alert `runbook_url`s. */
  readonly runbookBaseUrl: string;
}

export function derivePlatformValues(env: EnvironmentConfig): DerivedPlatformValues {
  const { issuer, audience } = env.bankApi.oidc;
  return {
    // The regional web ACL of the security stack (platform/lib/security), attached by name.
    wafAclName: resourceName(env, 'api'),
    databaseSecretName: auroraSecretName(env),
    databaseCidrs: [env.vpcCidr],
    oidc: {
      issuer,
      audience,
      jwksUri: `${issuer}/.well-known/jwks.json`,
    },
    runbookBaseUrl: `${repositoryWebUrl(env.gitops.repoUrl)}/blob/${DOCS_BRANCH}/docs/runbooks`,
  };
}

function repositoryWebUrl(repoUrl: string): string {
  return repoUrl.replace(/\.git$/, '').replace(/\/+$/, '');
}
