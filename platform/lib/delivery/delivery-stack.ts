import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { deploymentRegions } from '../../config/regions.js';
import { BANK_API, BANK_WEB } from '../../config/workloads.js';
import { rotatingKey } from '../shared/kms.js';
import { resourceName } from '../shared/naming.js';

export interface DeliveryStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The default CDK bootstrap qualifier; the deploy role may only assume those bootstrap roles. */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * Everything CI needs in the account, with no static credentials: the image registry, GitHub's OIDC
 * identity provider, and three narrowly trusted roles (image push from the main branch; `cdk deploy`
 * from the environment's GitHub deployment environment, only through the CDK bootstrap roles; `cdk diff`
 * from pull requests, only through the read-only lookup role).
 */
export class DeliveryStack extends Stack {
  /** bank-api's images. */
  readonly repository: ecr.Repository;
  /** bank-web's images (the customers' web app). */
  readonly webRepository: ecr.Repository;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    const { config } = props;
    const repo = config.ci.githubRepository;

    const key = rotatingKey(this, 'RegistryKey', {
      alias: resourceName(config, 'ecr'),
      description: `ECR images of ${config.name}`,
    });
    // One repository per service image, alike in everything but the name: immutable tags (the charts
    // render a digest or a tag that cannot move), scanned on push, encrypted with the registry key.
    const imageRepository = (id: string, repositoryName: string) =>
      new ecr.Repository(this, id, {
        repositoryName,
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.KMS,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            description: 'Drop untagged layers after a week',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(7),
            rulePriority: 1,
          },
          {
            description: 'Keep the newest 100 images',
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: 100,
            rulePriority: 2,
          },
        ],
      });
    this.repository = imageRepository('BankApiRepository', BANK_API.name);
    this.webRepository = imageRepository('BankWebRepository', BANK_WEB.name);

    const provider = new iam.OidcProviderNative(this, 'GitHubOidc', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIds: ['sts.amazonaws.com'],
    });
    const githubPrincipal = (subject: string) =>
      new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      });

    const pushRole = new iam.Role(this, 'ImagePushRole', {
      roleName: resourceName(config, 'ci-image-push'),
      description: `GitHub Actions on ${repo}@${config.ci.imagePushBranch}: push bank-api and bank-web images`,
      assumedBy: githubPrincipal(`repo:${repo}:ref:refs/heads/${config.ci.imagePushBranch}`),
      maxSessionDuration: Duration.hours(1),
    });
    new iam.ManagedPolicy(this, 'ImagePushPolicy', {
      managedPolicyName: resourceName(config, 'ci-image-push'),
      roles: [pushRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'PushServiceImages',
          actions: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:CompleteLayerUpload',
            'ecr:GetDownloadUrlForLayer',
            'ecr:InitiateLayerUpload',
            'ecr:PutImage',
            'ecr:UploadLayerPart',
          ],
          resources: [this.repository.repositoryArn, this.webRepository.repositoryArn],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptImageLayers',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `ecr.${this.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'RegistryLogin',
          // ecr:GetAuthorizationToken has no resource-level permissions in IAM.
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
        }),
      ],
    });

    // `cdk deploy 'bank-<env>-*'` reaches the stacks in the backup copy and standby regions too, each
    // through that region's bootstrap roles.
    const regions = deploymentRegions(config);
    const bootstrapRole = (kind: string, region: string) =>
      `arn:${this.partition}:iam::${this.account}:role/cdk-${CDK_BOOTSTRAP_QUALIFIER}-${kind}-role-${this.account}-${region}`;
    const deployRole = new iam.Role(this, 'CdkDeployRole', {
      roleName: resourceName(config, 'ci-cdk-deploy'),
      description: `GitHub Actions environment ${config.ci.deployEnvironment} on ${repo}: cdk deploy`,
      assumedBy: githubPrincipal(`repo:${repo}:environment:${config.ci.deployEnvironment}`),
      maxSessionDuration: Duration.hours(2),
    });
    new iam.ManagedPolicy(this, 'CdkDeployPolicy', {
      managedPolicyName: resourceName(config, 'ci-cdk-deploy'),
      roles: [deployRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].flatMap((kind) =>
            regions.map((region) => bootstrapRole(kind, region)),
          ),
        }),
      ],
    });

    // Pull requests run `cdk diff`: they may only assume the bootstrap lookup role, which is
    // read-only, so code that is not yet reviewed can read the deployed templates but change nothing.
    const diffRole = new iam.Role(this, 'CdkDiffRole', {
      roleName: resourceName(config, 'ci-cdk-diff'),
      description: `GitHub Actions pull requests on ${repo}: cdk diff (read-only)`,
      assumedBy: githubPrincipal(`repo:${repo}:pull_request`),
      maxSessionDuration: Duration.hours(1),
    });
    new iam.ManagedPolicy(this, 'CdkDiffPolicy', {
      managedPolicyName: resourceName(config, 'ci-cdk-diff'),
      roles: [diffRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'AssumeCdkLookupRole',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: regions.map((region) => bootstrapRole('lookup', region)),
        }),
      ],
    });

    new CfnOutput(this, 'RepositoryUri', { value: this.repository.repositoryUri });
    new CfnOutput(this, 'WebRepositoryUri', { value: this.webRepository.repositoryUri });
    new CfnOutput(this, 'ImagePushRoleArn', { value: pushRole.roleArn });
    new CfnOutput(this, 'CdkDeployRoleArn', { value: deployRole.roleArn });
    new CfnOutput(this, 'CdkDiffRoleArn', { value: diffRole.roleArn });
  }
}
