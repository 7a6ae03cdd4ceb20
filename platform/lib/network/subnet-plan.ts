import * as ec2 from 'aws-cdk-lib/aws-ec2';

export const SUBNET_GROUPS = { public: 'public', private: 'private', database: 'database' } as const;

/**
 * Three tiers per AZ, sized from the VPC prefix: private subnets get 1/8 of the VPC each because the
 * VPC CNI gives every pod a VPC address; public (load balancers, NAT) and isolated (Aurora) get 1/64.
 */
export function subnetPlan(vpcCidr: string): ec2.SubnetConfiguration[] {
  const prefix = Number(vpcCidr.split('/')[1]);
  return [
    {
      name: SUBNET_GROUPS.public,
      subnetType: ec2.SubnetType.PUBLIC,
      cidrMask: prefix + 6,
      mapPublicIpOnLaunch: false,
    },
    { name: SUBNET_GROUPS.private, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: prefix + 3 },
    { name: SUBNET_GROUPS.database, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: prefix + 6 },
  ];
}

/** Explicit AZ names: CDK would otherwise look them up in the account (a network call at synth). */
export const availabilityZones = (region: string, count: number): string[] =>
  ['a', 'b', 'c'].slice(0, count).map((suffix) => `${region}${suffix}`);
