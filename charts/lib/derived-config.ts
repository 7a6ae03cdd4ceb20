import type { EnvironmentConfig } from '../../platform/config/index.js';
import { BANK_API } from '../../platform/config/workloads.js';
import { subnetCidrs } from '../../platform/lib/network/subnet-plan.js';
import {
  auroraSecretName,
  databaseConnectionSecretName,
  resourceName,
} from '../../platform/lib/shared/naming.js';

// Values the charts need that the environment config does not carry (yet). Names of AWS resources the
// CDK app creates come from its own naming module, so both sides always agree; the rest is derived
// from config fields and listed in docs/manifests.md as fields the config should own.

/** Branch whose docs the alert runbook links point at. */
const DOCS_BRANCH = 'main';

export interface DerivedPlatformValues {
  /** Name of the regional WAFv2 web ACL the ALB attaches (the CDK app must create it under this name). */
  readonly wafAclName: string;
  /** Secrets Manager secret (JSON: host, port, username, dbname; no password) bank-api connects with. */
  readonly databaseSecretName: string;
  /** The Aurora master secret: the schema owner's login, read only by the migration Job. */
  readonly migrationSecretName: string;
  /** The isolated database subnets: the only destinations of the service's PostgreSQL egress. */
  readonly databaseCidrs: readonly string[];
  /** The public subnets the internet-facing ALB's nodes live in: the only sources of API traffic. */
  readonly loadBalancerCidrs: readonly string[];
  /** OIDC issuer, audience and JWKS for bank-api's bearer tokens. */
  readonly oidc: { readonly issuer: string; readonly audience: string; readonly jwksUri: string };
  /** Base URL of docs/runbooks/ in the repository browser, for alert `runbook_url`s. */
  readonly runbookBaseUrl: string;
}

export function derivePlatformValues(env: EnvironmentConfig): DerivedPlatformValues {
  const { issuer, audience } = env.bankApi.oidc;
  // The same plan the network stack builds the VPC from, so the CIDRs are the subnets' own.
  const subnets = subnetCidrs(env.vpcCidr, env.region, env.azCount);
  return {
    // The regional web ACL of the security stack (platform/lib/security), attached by name.
    wafAclName: resourceName(env, 'api'),
    databaseSecretName: databaseConnectionSecretName(env, BANK_API.name),
    migrationSecretName: auroraSecretName(env),
    databaseCidrs: subnets.database,
    loadBalancerCidrs: subnets.public,
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
