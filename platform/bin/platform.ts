import * as blueprints from '@aws-quickstart/eks-blueprints';
import { EnvironmentConfigError, loadEnvironments, loadOrganisation } from '../config/index.js';
import { placeholderWarning } from '../config/placeholders.js';
import { createPlatformApp } from '../lib/platform-app.js';
import { assertSupportedNode } from './supported-node.js';

// Entry point of `cdk synth` / `cdk deploy` (see cdk.json). Every environment is synthesized; pick
// stacks on the CLI, e.g. `npx cdk deploy 'bank-dev-*'`.
async function main(): Promise<void> {
  assertSupportedNode();
  // Blueprints logs every add-on version at debug level; synth output should carry only findings.
  blueprints.utils.userLog.settings.minLevel = 3;
  const environments = loadEnvironments();
  // The CDK CLI does not tell the app whether it synthesizes, diffs or deploys: warn at every synth;
  // `npm run infra:diff` / `infra:deploy` (platform/bin/cdk-guard.ts) refuse to run with placeholders.
  const warning = placeholderWarning(loadOrganisation(), environments, process.env.CDK_DEFAULT_ACCOUNT);
  if (warning) console.warn(warning);
  const { app } = await createPlatformApp(environments);
  app.synth();
}

main().catch((error: unknown) => {
  if (error instanceof EnvironmentConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
