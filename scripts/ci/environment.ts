import type { EnvironmentConfig } from '../../platform/config/index.js';
import { IMAGE_PLATFORM } from '../../platform/config/kubernetes.js';
import { resourceName } from '../../platform/lib/shared/naming.js';

// Prints, as key=value lines for $GITHUB_OUTPUT, what a workflow needs to know about an environment:
// account, region, registry, the CI role ARNs the delivery stack creates, the GitHub environment.
// Workflows read these instead of repeating account ids, so platform/config stays the one source.
//
//   npm run --silent ci:environment -- --env <name> >> "$GITHUB_OUTPUT"   (environment-cli.ts)

export function ciEnvironment(env: EnvironmentConfig): Record<string, string> {
  const role = (name: string) => `arn:aws:iam::${env.account}:role/${resourceName(env, name)}`;
  return {
    environment: env.name,
    account: env.account,
    region: env.region,
    image_repository: env.bankApi.imageRepository,
    web_image_repository: env.bankWeb.imageRepository,
    registry: env.bankApi.imageRepository.split('/')[0] ?? '',
    // The nodes' architecture: images are built for it (release.yml).
    image_platform: IMAGE_PLATFORM,
    image_push_role_arn: role('ci-image-push'),
    cdk_deploy_role_arn: role('ci-cdk-deploy'),
    cdk_diff_role_arn: role('ci-cdk-diff'),
    deploy_environment: env.ci.deployEnvironment,
    gitops_branch: env.gitops.branch,
    stacks: `bank-${env.name}-*`,
  };
}
