import * as blueprints from '@aws-quickstart/eks-blueprints';
import { EnvironmentConfigError, loadEnvironments } from '../config/index.js';
import { createPlatformApp } from '../lib/platform-app.js';
import { assertSupportedNode } from './supported-node.js';

// Entry point of `cdk synth` / `cdk deploy` (see cdk.json). Every environment is synthesized; pick
// stacks on the CLI, e.g. `npx cdk deploy 'bank-dev-*'`.
async function main(): Promise<void> {
  assertSupportedNode();
  // Blueprints logs every add-on version at debug level; synth output should carry only findings.
  blueprints.utils.userLog.settings.minLevel = 3;
  const { app } = await createPlatformApp(loadEnvironments());
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
