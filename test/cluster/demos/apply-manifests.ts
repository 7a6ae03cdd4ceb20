// Applies an environment's rendered manifests to the cluster in KUBECONFIG the way the cluster tests
// do (server-side, strict field validation, dependency order). Locally this stands in for Argo CD.
//   npx tsx test/cluster/demos/apply-manifests.ts <env> [--dry-run]
import { applyEnvironment } from '../support/apply.js';
import { renderedEnvironments } from '../support/manifests.js';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const positional = args.filter((arg) => !arg.startsWith('--'));
const unknown = args.filter((arg) => arg.startsWith('--') && arg !== '--dry-run');
const envs = renderedEnvironments();

if (positional.length !== 1 || unknown.length > 0) {
  console.error(`usage: apply-manifests.ts <env> [--dry-run]   (rendered: ${envs.join(', ') || 'none'})`);
  process.exit(2);
}
const env = positional[0] as string;
if (!envs.includes(env)) {
  console.error(
    `apply-manifests: no rendered manifests for '${env}'; rendered: ${envs.join(', ') || 'none'}`,
  );
  process.exit(2);
}

try {
  const report = await applyEnvironment(env, { dryRun });
  for (const line of report.applied) console.log(line);
  for (const line of report.warnings) console.error(line);
  console.log(`apply-manifests: ${report.objects} objects of '${env}'${dryRun ? ' (server dry run)' : ''}`);
  if (report.warnings.length > 0) {
    console.error(`apply-manifests: ${report.warnings.length} warning(s) from the API server`);
    process.exit(1);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
