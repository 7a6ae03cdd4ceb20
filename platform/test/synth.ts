import * as blueprints from '@aws-quickstart/eks-blueprints';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig } from '../config/index.js';
import { type ComplianceFinding, unacknowledgedFindings } from '../lib/compliance.js';
import { createPlatformApp } from '../lib/platform-app.js';

export interface SynthesizedEnvironment {
  readonly templates: Record<'security' | 'network' | 'delivery' | 'cluster' | 'finops', Template>;
  /** The backup copy vault's stack in the second region, when the config names one. */
  readonly backupCopy: { readonly template: Template; readonly region: string } | undefined;
  /** The standby region's stacks (docs/adr/0008), when the config has disasterRecovery. */
  readonly standby:
    | { readonly storage: Template; readonly database: Template; readonly region: string }
    | undefined;
  /**
   * What the app's own compliance gate left unacknowledged, read from the validation report its synth
   * wrote (not recomputed here: a test must fail when the app stops running the packs).
   */
  readonly complianceFindings: ComplianceFinding[];
  /** Context lookups the app asked for (each would need AWS credentials at synth). */
  readonly missingContext: unknown[];
  /** Warning annotations left on any stack (credential, fallback or deprecation warnings). */
  readonly warnings: string[];
}

/** Synthesizes one environment once; test files share the result across their assertions. */
export async function synthesize(config: EnvironmentConfig): Promise<SynthesizedEnvironment> {
  blueprints.utils.userLog.settings.minLevel = 3;
  const { app, environments } = await createPlatformApp([config]);
  const stacks = environments.get(config.name);
  if (!stacks) throw new Error(`environment ${config.name} was not built`);
  const templates = {
    security: Template.fromStack(stacks.security),
    network: Template.fromStack(stacks.network),
    delivery: Template.fromStack(stacks.delivery),
    cluster: Template.fromStack(stacks.cluster),
    finops: Template.fromStack(stacks.finops),
  };
  const backupCopy = stacks.backupCopy && {
    template: Template.fromStack(stacks.backupCopy),
    region: stacks.backupCopy.region,
  };
  const standby =
    stacks.standbyStorage && stacks.standbyDatabase
      ? {
          storage: Template.fromStack(stacks.standbyStorage),
          database: Template.fromStack(stacks.standbyDatabase),
          region: stacks.standbyStorage.region,
        }
      : undefined;
  const previousExitCode = process.exitCode;
  const assembly = app.synth();
  // A failed gate sets the exit code; the assertions below report it, the test process must not.
  process.exitCode = previousExitCode;
  const warnings = Object.values(stacks).flatMap((stack) =>
    stack === undefined
      ? []
      : Annotations.fromStack(stack)
          .findWarning('*', Match.anyValue())
          .map((w) => `${w.id}: ${JSON.stringify(w.entry.data)}`),
  );
  return {
    templates,
    backupCopy,
    standby,
    complianceFindings: unacknowledgedFindings(assembly.directory),
    missingContext: assembly.manifest.missing ?? [],
    warnings,
  };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export const resourcesOfType = (template: Template, type: string) =>
  Object.values(template.toJSON().Resources as Resources).filter((r) => r.Type === type);

/** Kubernetes manifests applied by the cluster stack, as JSON text (tokens stay as Fn::Join parts). */
export const manifests = (template: Template): string[] =>
  resourcesOfType(template, 'Custom::AWSCDK-EKS-KubernetesResource').map((r) =>
    JSON.stringify(r.Properties?.Manifest),
  );

export const helmCharts = (template: Template) =>
  resourcesOfType(template, 'Custom::AWSCDK-EKS-HelmChart').map(
    (r) => r.Properties as Record<string, unknown>,
  );

type Resource = { Type: string; Properties?: Record<string, unknown> };

export const tagsOf = (resource: Resource): Record<string, string> =>
  Object.fromEntries(
    ((resource.Properties?.Tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]),
  );

/** The Config property of the aws-eks cluster custom resource (the CreateCluster request). */
export interface EksClusterConfig {
  readonly version: string;
  readonly logging: { clusterLogging: { types: string[] }[] };
  readonly encryptionConfig: { resources: string[] }[];
  readonly resourcesVpcConfig: {
    endpointPrivateAccess: boolean;
    endpointPublicAccess: boolean;
    publicAccessCidrs?: string[];
  };
  readonly accessConfig: { authenticationMode: string };
}

export function eksClusterConfig(template: Template): EksClusterConfig {
  const cluster = resourcesOfType(template, 'Custom::AWSCDK-EKS-Cluster')[0];
  if (!cluster) throw new Error('no EKS cluster in template');
  return cluster.Properties?.Config as EksClusterConfig;
}

/** Kubernetes objects applied by the cluster stack whose manifest holds no CloudFormation tokens. */
export const kubernetesObjects = (template: Template): Record<string, unknown>[] =>
  resourcesOfType(template, 'Custom::AWSCDK-EKS-KubernetesResource')
    .map((r) => r.Properties?.Manifest)
    .filter((m): m is string => typeof m === 'string')
    .flatMap((m) => JSON.parse(m) as Record<string, unknown>[]);

/** The rules of the one AWS Backup plan a template holds. */
export function backupPlanRules(template: Template): Record<string, unknown>[] {
  const plans = resourcesOfType(template, 'AWS::Backup::BackupPlan');
  if (plans.length !== 1) throw new Error(`expected one AWS Backup plan, found ${plans.length}`);
  const plan = plans[0]?.Properties?.BackupPlan as { BackupPlanRule?: Record<string, unknown>[] } | undefined;
  return plan?.BackupPlanRule ?? [];
}
