import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { allowCloudWatchLogs, rotatingKey } from '../shared/kms.js';
import { encryptedLogGroup } from '../shared/log-groups.js';
import { clusterName, resourceName } from '../shared/naming.js';
import { availabilityZones, subnetPlan } from './subnet-plan.js';

export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';

export interface NetworkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

// Services that nodes and pods call; endpoints keep that traffic (image pulls, credentials, secrets,
// logs) off the NAT gateways, which is both cheaper and auditable.
const interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
  EksAuth: ec2.InterfaceVpcEndpointAwsService.EKS_AUTH,
};

/** VPC with public, private (egress) and isolated tiers across the configured AZs. */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  /** The interface endpoints' security group: HTTPS from the VPC. Clients that may not reach the internet point their 443 egress here. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  private readonly configuredAzs: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.configuredAzs = availabilityZones(config.region, config.azCount);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: resourceName(config, 'vpc'),
      ipAddresses: ec2.IpAddresses.cidr(config.vpcCidr),
      availabilityZones: this.configuredAzs,
      // One per AZ (production) keeps egress up for the other zones when one is lost; fewer is cheaper.
      natGateways: config.network.natGateways,
      subnetConfiguration: subnetPlan(config.vpcCidr),
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });

    // Karpenter's EC2NodeClass selects the subnets for workload nodes by this tag.
    for (const subnet of this.vpc.privateSubnets) {
      Tags.of(subnet).add(KARPENTER_DISCOVERY_TAG, clusterName(config));
    }
    // The AWS Load Balancer Controller places internet-facing ALBs in subnets tagged with this role.
    for (const subnet of this.vpc.publicSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/elb', '1');
    }

    const flowLogKey = rotatingKey(this, 'FlowLogKey', {
      alias: resourceName(config, 'flow-logs'),
      description: `VPC flow logs of ${config.name}`,
    });
    allowCloudWatchLogs(flowLogKey);
    const flowLogGroup = encryptedLogGroup(this, 'FlowLogGroup', {
      logGroupName: `/bank/${config.name}/vpc/flow-logs`,
      encryptionKey: flowLogKey,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [
        { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = endpointSg;
    // The literal CIDR from config (not the VPC's CIDR attribute) keeps the rule reviewable in the template.
    endpointSg.addIngressRule(ec2.Peer.ipv4(config.vpcCidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    for (const [id, service] of Object.entries(interfaceEndpoints)) {
      this.vpc.addInterfaceEndpoint(`${id}Endpoint`, {
        service,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        privateDnsEnabled: true,
        securityGroups: [endpointSg],
        open: false,
      });
    }
  }

  /**
   * The AZs come from config. Without this override ec2.Vpc validates them against a context lookup
   * of the account's zones, which needs AWS credentials at synth.
   */
  override get availabilityZones(): string[] {
    return this.configuredAzs;
  }
}
