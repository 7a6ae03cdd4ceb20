import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/bank-api/src/config.js';
import { ofKind, podControllers, type RenderedObject, renderAll } from './rendered.js';

// Least privilege on the way to the database, as the rendered manifests wire it: the API pods log in
// as their own role with IAM tokens and never see the Aurora master secret; only the migration Job,
// under its own service account, gets the schema owner's login. Secret names are written out here
// (docs/platform/README.md lists them), not imported from the code that renders them.

const { objects, environments } = renderAll();

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped.
type Any = any;

const inEnv = (kind: string, env: string): RenderedObject[] =>
  ofKind(objects, kind).filter((o) => o.env.name === env);
/** The API's pod controller (Deployment or Rollout). */
const controllersIn = (env: string): RenderedObject[] =>
  podControllers(objects).filter((o) => o.env.name === env);

/** Secret names a pod template can read: env valueFrom, envFrom and volumes. */
function secretsReadBy(podSpec: Any): string[] {
  const fromContainers = (podSpec.containers ?? []).flatMap((c: Any) => [
    ...(c.env ?? []).map((e: Any) => e.valueFrom?.secretKeyRef?.name),
    ...(c.envFrom ?? []).map((e: Any) => e.secretRef?.name),
  ]);
  const fromVolumes = (podSpec.volumes ?? []).map((v: Any) => v.secret?.secretName);
  return [...fromContainers, ...fromVolumes].filter(Boolean).sort();
}

const envOf = (container: Any, name: string) =>
  (container.env ?? []).find((e: Any) => e.name === name)?.value;

describe.each(environments.map((e) => [e.name] as const))('%s: database access', (env) => {
  const externalSecrets = inEnv('ExternalSecret', env);
  const remoteKeyOf = (secret: string) =>
    externalSecrets.find((s) => s.object.spec.target.name === secret)?.object.spec.dataFrom[0].extract.key;
  const deployment = controllersIn(env).find((d) => d.object.metadata.name === 'bank-api');
  const job = inEnv('Job', env).find((j) => j.object.metadata.name === 'bank-api-migrate');

  it("renders the API's pod controller, the migration Job and both ExternalSecrets", () => {
    expect(deployment).toBeDefined();
    expect(job).toBeDefined();
    expect(externalSecrets.map((s) => s.object.spec.target.name).sort()).toEqual([
      'bank-api-database',
      'bank-api-migrate-database',
    ]);
  });

  it('the API pods read only the connection secret, which carries no password, and sign IAM tokens', () => {
    const pod = deployment?.object.spec.template.spec;
    expect(secretsReadBy(pod)).toEqual(['bank-api-database']);
    expect(remoteKeyOf('bank-api-database')).toBe(`bank/${env}/bank-api/database`);
    const template = externalSecrets.find((s) => s.object.spec.target.name === 'bank-api-database')?.object
      .spec.target.template.data.DATABASE_URL as string;
    expect(template).not.toContain('password');
    expect(template).toMatch(/^postgresql:\/\/\{\{ \.username \| urlquery \}\}@/);
    expect(template).toMatch(/sslmode=verify-full$/);
    const api = pod.containers.find((c: Any) => c.name === 'api') ?? pod.containers[0];
    expect(envOf(api, 'DATABASE_AUTH')).toBe('iam');
    expect(pod.serviceAccountName).toBe('bank-api');
  });

  it('only the migration Job reads the master secret, under its own service account', () => {
    const pod = job?.object.spec.template.spec;
    expect(secretsReadBy(pod)).toEqual(['bank-api-migrate-database']);
    expect(remoteKeyOf('bank-api-migrate-database')).toBe(`bank/${env}/aurora/credentials`);
    expect(pod.serviceAccountName).toBe('bank-api-migrate');
    expect(envOf(pod.containers[0], 'DATABASE_AUTH')).toBe('password');
    const readers = [...controllersIn(env), ...inEnv('Job', env)].filter((o) =>
      secretsReadBy(o.object.spec.template.spec).includes('bank-api-migrate-database'),
    );
    expect(readers.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual([
      'Job/bank-api-migrate',
    ]);
    const account = inEnv('ServiceAccount', env).find((sa) => sa.object.metadata.name === 'bank-api-migrate');
    expect(account?.object.automountServiceAccountToken).toBe(false);
  });

  it('the API pods may reach the Pod Identity agent on 80, and no other link-local address', () => {
    const egress = inEnv('NetworkPolicy', env).flatMap((p) =>
      (p.object.spec.egress ?? []).map((rule: Any) => ({ policy: p.object, rule })),
    );
    const linkLocal = egress.filter(({ rule }) =>
      (rule.to ?? []).some((peer: Any) => peer.ipBlock?.cidr?.startsWith('169.254.')),
    );
    expect(linkLocal).toHaveLength(1);
    const [{ policy, rule }] = linkLocal as [{ policy: Any; rule: Any }];
    expect(rule.to).toEqual([{ ipBlock: { cidr: '169.254.170.23/32' } }]);
    expect(rule.ports).toEqual([{ protocol: 'TCP', port: 80 }]);
    expect(policy.spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/component': 'api',
      'app.kubernetes.io/name': 'bank-api',
    });
  });

  it("each container's rendered environment is one the service's config accepts, with the login it should use", () => {
    const configMap = inEnv('ConfigMap', env).find((c) => c.object.metadata.name === 'bank-api-config');
    // What External Secrets would write from each template, with a sample of Secrets Manager's JSON.
    const sample = {
      username: 'bank_admin',
      password: 's3cr/t',
      host: 'db.internal',
      port: '5432',
      dbname: 'bank',
    };
    const fill = (template: string, values: Record<string, string>) =>
      template.replace(/\{\{ \.(\w+)( \| urlquery)? \}\}/g, (_m, key: string, query?: string) =>
        query ? encodeURIComponent(values[key] ?? '') : (values[key] ?? ''),
      );
    const urlFor = (secret: string, values: Record<string, string>) =>
      fill(
        externalSecrets.find((x) => x.object.spec.target.name === secret)?.object.spec.target.template.data
          .DATABASE_URL as string,
        values,
      );
    const environmentOf = (container: Any, url: string) => ({
      ...(configMap?.object.data as Record<string, string>),
      ...Object.fromEntries(
        (container.env ?? []).map((e: Any) => [e.name, e.valueFrom?.secretKeyRef ? url : e.value]),
      ),
    });
    const api = deployment?.object.spec.template.spec.containers[0];
    const apiConfig = loadConfig(
      environmentOf(api, urlFor('bank-api-database', { ...sample, username: 'bank_api' })),
    );
    expect(apiConfig.database).toMatchObject({
      kind: 'postgres',
      sslMode: 'verify-full',
      credentials: { source: 'iam', region: 'eu-central-1' },
    });
    // The problem type base comes from the environment config, and the service takes it as set.
    const config = environments.find((e) => e.name === env);
    expect(apiConfig.problemTypeBase).toBe(config?.bankApi.problemTypeBase);
    expect(apiConfig.problemTypeBase).toMatch(/^https:\/\/[a-z0-9.-]+\/problems\/$/);
    const migrate = job?.object.spec.template.spec.containers[0];
    const migrateConfig = loadConfig(environmentOf(migrate, urlFor('bank-api-migrate-database', sample)));
    expect(migrateConfig.database).toMatchObject({ kind: 'postgres', sslMode: 'verify-full' });
    expect(JSON.stringify(migrateConfig.database)).toContain('bank_admin');
    expect(JSON.stringify(migrateConfig.database)).not.toContain('"iam"');
  });
});
