import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Yaml } from 'cdk8s';
import { ArgoCdBootstrapChart } from '../argocd/chart.js';
import { addOnNamespaceBudget } from '../platform/config/add-on-budgets.js';
import type { EnvironmentConfig } from '../platform/config/index.js';
import { BankApiChart, bankApiServiceProps } from './bank-api/chart.js';
import { BankWebChart, bankWebServiceProps } from './bank-web/chart.js';
import { DashboardsChart } from './dashboards/chart.js';
import { pinnedImage } from './lib/image.js';
import { MONITORING, PART_OF } from './lib/platform-contract.js';
import { NamespacesChart } from './namespaces/chart.js';

export interface RenderOptions {
  /** bank-api image; default `${bankApi.imageRepository}:${bankApi.imageTag}`. Must be pinned. */
  readonly image?: string;
  /** bank-web image; default `${bankWeb.imageRepository}:${bankWeb.imageTag}`. Must be pinned. */
  readonly webImage?: string;
}

export interface RenderedFile {
  /** File name inside manifests/<env>/. */
  readonly name: string;
  readonly content: string;
}

export interface RenderedEnvironment {
  readonly environment: string;
  readonly image: string;
  readonly webImage: string;
  readonly files: readonly RenderedFile[];
}

/** The Argo CD bootstrap of one environment's cluster (manifests/argocd/<env>/). */
export interface RenderedBootstrap {
  readonly environment: string;
  readonly files: readonly RenderedFile[];
}

const OUTPUT_SUFFIX = '.k8s.yaml';
const HEADER = '# Rendered by cdk8s from charts/ (npm run synth:manifests). Do not edit by hand.\n';

export function defaultImage(env: EnvironmentConfig): string {
  return `${env.bankApi.imageRepository}:${env.bankApi.imageTag}`;
}

export function defaultWebImage(env: EnvironmentConfig): string {
  return `${env.bankWeb.imageRepository}:${env.bankWeb.imageTag}`;
}

/** Builds the cdk8s App for one environment (exposed for tests that inspect constructs). */
export function buildEnvironmentApp(
  env: EnvironmentConfig,
  options: RenderOptions = {},
): { app: App; image: string; webImage: string } {
  const image = pinnedImage(options.image ?? defaultImage(env));
  const webImage = pinnedImage(options.webImage ?? defaultWebImage(env));
  const app = new App();
  const bankApi = bankApiServiceProps(env, image);
  const bankWeb = bankWebServiceProps(env, webImage);
  new NamespacesChart(app, 'namespaces', {
    partOf: PART_OF,
    services: [bankApi, bankWeb],
    addOnBudgets: [addOnNamespaceBudget(env, MONITORING.namespace)],
  });
  new BankApiChart(app, 'bank-api', { env, service: bankApi });
  new DashboardsChart(app, 'dashboards', {
    env,
    namespace: bankApi.namespace,
    workloadName: bankApi.name,
    partOf: PART_OF,
  });
  new BankWebChart(app, 'bank-web', { service: bankWeb });
  return { app, image, webImage };
}

/** Renders one environment to YAML in memory: one file per chart, byte-identical for the same input. */
export function renderEnvironment(env: EnvironmentConfig, options: RenderOptions = {}): RenderedEnvironment {
  const { app, image, webImage } = buildEnvironmentApp(env, options);
  return { environment: env.name, image, webImage, files: renderFiles(app) };
}

/** Renders the AppProjects and Applications the root Application of `env`'s cluster syncs. */
export function renderArgoCdBootstrap(env: EnvironmentConfig): RenderedBootstrap {
  const app = new App();
  new ArgoCdBootstrapChart(app, 'argocd', { env });
  return { environment: env.name, files: renderFiles(app) };
}

function renderFiles(app: App): RenderedFile[] {
  return app.charts.map((chart) => ({
    name: `${chart.node.id}${OUTPUT_SUFFIX}`,
    content: HEADER + Yaml.stringify(...chart.toJson()),
  }));
}

/** Writes a rendering into `dir`, removing manifests a previous render left that this one no longer has. */
export function writeRenderedEnvironment(
  rendered: RenderedEnvironment | RenderedBootstrap,
  dir: string,
): string[] {
  mkdirSync(dir, { recursive: true });
  const keep = new Set(rendered.files.map((f) => f.name));
  for (const existing of readdirSync(dir)) {
    if (existing.endsWith(OUTPUT_SUFFIX) && !keep.has(existing)) rmSync(join(dir, existing));
  }
  return rendered.files.map((file) => {
    const path = join(dir, file.name);
    writeFileSync(path, file.content);
    return path;
  });
}
