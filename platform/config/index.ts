import type { z } from 'zod';
import { rawEnvironments, rawOrganisation } from './environments.js';
import {
  type EnvironmentConfig,
  EnvironmentConfigSchema,
  type Organisation,
  OrganisationSchema,
} from './schema.js';

export type {
  BackupConfig,
  DisasterRecoveryConfig,
  EnvironmentConfig,
  NodeAutoscaler,
  Organisation,
} from './schema.js';
export { EnvironmentConfigSchema, OrganisationSchema } from './schema.js';

export class EnvironmentConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(
      `Invalid environment config '${environment}':\n` +
        issues.map((i) => `  - ${environment}.${i.field}: ${i.message}`).join('\n'),
    );
    this.name = 'EnvironmentConfigError';
  }
}

/** zod's issues as fields and messages; an unknown key is named itself, not its parent object. */
function fieldIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const paths =
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.map((path) => ({
      field: path.length > 0 ? path.join('.') : '(root)',
      message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
    }));
  });
}

/** Validates one raw environment definition; throws naming the environment and every bad field. */
export function parseEnvironment(name: string, raw: unknown): EnvironmentConfig {
  const result = EnvironmentConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new EnvironmentConfigError(name, fieldIssues(result.error));
  }
  if (result.data.name !== name) {
    throw new EnvironmentConfigError(name, [{ field: 'name', message: `must equal its key '${name}'` }]);
  }
  return result.data;
}

/**
 * The organisation every environment's names derive from (platform/config/environments.ts), validated;
 * a bad field is reported as `organisation.<field>`.
 */
export function loadOrganisation(raw: unknown = rawOrganisation): Organisation {
  const result = OrganisationSchema.safeParse(raw);
  if (!result.success) throw new EnvironmentConfigError('organisation', fieldIssues(result.error));
  return result.data;
}

/** Every environment, validated (the organisation first, as they derive from it). */
export function loadEnvironments(raw: Record<string, unknown> = rawEnvironments): EnvironmentConfig[] {
  loadOrganisation();
  return Object.entries(raw)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => parseEnvironment(name, value));
}

/** One environment by name; an unknown name lists the known ones. */
export function loadEnvironment(
  name: string,
  raw: Record<string, unknown> = rawEnvironments,
): EnvironmentConfig {
  loadOrganisation();
  const value = raw[name];
  if (value === undefined) {
    throw new EnvironmentConfigError(name, [
      { field: '(name)', message: `unknown environment; known: ${Object.keys(raw).sort().join(', ')}` },
    ]);
  }
  return parseEnvironment(name, value);
}

export const environmentNames = (): string[] => Object.keys(rawEnvironments).sort();

/**
 * The same environment with its manifests branch read from another Git server (the local GitOps
 * platform's, `npm run local:up`). Validated like the config itself: the URL must be https://.
 */
export function withGitopsRepoUrl(env: EnvironmentConfig, repoUrl: string): EnvironmentConfig {
  return parseEnvironment(env.name, { ...env, gitops: { ...env.gitops, repoUrl } });
}
