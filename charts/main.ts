import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BOOTSTRAP_DIR } from '../argocd/layout.js';
import { loadEnvironment, loadEnvironments } from '../platform/config/index.js';
import { renderArgoCdBootstrap, renderEnvironment, writeRenderedEnvironment } from './render.js';

// Entry point of `cdk8s synth` (cdk8s.yaml) and `npm run synth:manifests`: renders every environment
// into <outdir>/<env>/ and its cluster's Argo CD bootstrap into <outdir>/argocd/<env>/. The cdk8s CLI
// passes its output folder in CDK8S_OUTDIR.
//
//   tsx charts/main.ts [--env <name>]... [--image <repo>@sha256:<digest>] [--web-image <ref>] [--outdir <dir>]
//
// --image overrides the bank-api image, --web-image the bank-web image; each needs exactly one --env
// (each environment pulls from its own registry).

const USAGE =
  'usage: tsx charts/main.ts [--env <name>]... [--image <ref>] [--web-image <ref>] [--outdir <dir>]';

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string', multiple: true },
      image: { type: 'string' },
      'web-image': { type: 'string' },
      outdir: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const names = values.env ?? [];
  for (const flag of ['image', 'web-image'] as const) {
    if (values[flag] !== undefined && names.length !== 1) {
      throw new UsageError(`--${flag} applies to one environment: pass exactly one --env with it`);
    }
  }
  const environments = names.length > 0 ? names.map((name) => loadEnvironment(name)) : loadEnvironments();
  const outdir = values.outdir ?? process.env.CDK8S_OUTDIR ?? 'manifests';
  for (const env of environments) {
    const rendered = renderEnvironment(env, {
      ...(values.image === undefined ? {} : { image: values.image }),
      ...(values['web-image'] === undefined ? {} : { webImage: values['web-image'] }),
    });
    const written = writeRenderedEnvironment(rendered, join(outdir, env.name));
    console.log(`${env.name}: ${written.join(', ')} (images ${rendered.image}, ${rendered.webImage})`);
    const bootstrap = writeRenderedEnvironment(
      renderArgoCdBootstrap(env),
      join(outdir, BOOTSTRAP_DIR, env.name),
    );
    console.log(`${env.name}: ${bootstrap.join(', ')} (Argo CD bootstrap)`);
  }
}

class UsageError extends Error {}

try {
  main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`synth failed: ${message}`);
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(USAGE);
  }
  process.exitCode = 1;
}
