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

/**
 * The CIDR of every subnet the VPC will have, per tier, computed by the same allocator ec2.Vpc uses
 * (tiers in plan order, AZs in order). Lets other code (the charts' NetworkPolicies) name the database
 * subnets exactly without a deployed VPC; the network test checks it against the synthesized subnets.
 */
export function subnetCidrs(
  vpcCidr: string,
  region: string,
  azCount: number,
): Record<keyof typeof SUBNET_GROUPS, string[]> {
  const zones = availabilityZones(region, azCount);
  const plan = subnetPlan(vpcCidr);
  const requestedSubnets = plan.flatMap((configuration) =>
    zones.map((availabilityZone, i) => ({
      availabilityZone,
      configuration,
      subnetConstructId: `${configuration.name}Subnet${i + 1}`,
    })),
  );
  const { allocatedSubnets } = ec2.IpAddresses.cidr(vpcCidr).allocateSubnetsCidr({
    vpcCidr,
    requestedSubnets,
  });
  const byTier = (tier: string) =>
    allocatedSubnets.filter((_, i) => requestedSubnets[i]?.configuration.name === tier).map((a) => a.cidr);
  return {
    public: byTier(SUBNET_GROUPS.public),
    private: byTier(SUBNET_GROUPS.private),
    database: byTier(SUBNET_GROUPS.database),
  };
}
