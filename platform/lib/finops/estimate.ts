import type { EnvironmentConfig } from '../../config/index.js';
import { ESTIMATE_ASSUMPTIONS, PRICE_TABLE, RESOURCE_PRICING } from './prices.js';

// A monthly cost estimate per environment from the synthesized templates (what CloudFormation will
// create, counted) plus the config for what the templates cannot show (Karpenter's nodes, the ALB the
// Load Balancer Controller creates). Usage-billed resources are named, not guessed.

export interface CfnTemplate {
  readonly Resources?: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
}

export interface EstimateLine {
  readonly item: string;
  readonly quantity: number;
  /** What one unit is: "instance-month", "key-month", "GB-month". */
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  /** Counted in the templates, or derived from config/assumptions. */
  readonly basis: 'template' | 'config' | 'assumption';
}

export interface EnvironmentEstimate {
  readonly environment: string;
  readonly lines: readonly EstimateLine[];
  readonly totalUsd: number;
  /** Resource types present that are billed by use only (not in the total). */
  readonly usageBased: readonly string[];
  /** Resource types present that the price table does not know: the table needs an entry. */
  readonly unpriced: readonly string[];
}

const HOURS = PRICE_TABLE.hoursPerMonth;
const round2 = (n: number) => Math.round(n * 100) / 100;

function priceOf(table: Readonly<Record<string, number>>, key: string, what: string): number {
  const price = table[key];
  if (price === undefined)
    throw new Error(`cost estimate: no ${what} price for ${key} in platform/lib/finops/prices.ts`);
  return price;
}

/** Adds `quantity` units at `unitPriceUsd` to the line named `item`, creating it when new. */
class Lines {
  private readonly byItem = new Map<string, EstimateLine>();

  add(
    item: string,
    quantity: number,
    unit: string,
    unitPriceUsd: number,
    basis: EstimateLine['basis'],
  ): void {
    if (quantity === 0) return;
    const previous = this.byItem.get(item);
    const total = (previous?.quantity ?? 0) + quantity;
    this.byItem.set(item, {
      item,
      quantity: total,
      unit,
      unitPriceUsd,
      monthlyUsd: round2(total * unitPriceUsd),
      basis,
    });
  }

  list(): EstimateLine[] {
    return [...this.byItem.values()];
  }
}

/** The monthly estimate of one environment from all of its templates (nested ones included). */
export function estimateEnvironment(
  config: EnvironmentConfig,
  templates: readonly CfnTemplate[],
): EnvironmentEstimate {
  const lines = new Lines();
  const usage = new Set<string>();
  const unpriced = new Set<string>();
  const rootGb = ESTIMATE_ASSUMPTIONS.nodeRootVolumeGb;

  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      const { Type: type, Properties: props = {} } = resource;
      const pricing = RESOURCE_PRICING[type];
      if (!pricing) {
        unpriced.add(type);
        continue;
      }
      if (pricing.kind === 'usage') usage.add(type);
      if (pricing.kind !== 'priced') continue;
      switch (type) {
        case 'AWS::EC2::NatGateway':
          lines.add('NAT gateway', 1, 'gateway-month', HOURS * PRICE_TABLE.natGatewayHourly, 'template');
          break;
        case 'AWS::EC2::EIP':
          lines.add(
            'public IPv4 address',
            1,
            'address-month',
            HOURS * PRICE_TABLE.publicIpv4Hourly,
            'template',
          );
          break;
        case 'AWS::EC2::VPCEndpoint':
          if (props.VpcEndpointType === 'Interface') {
            const zones = Array.isArray(props.SubnetIds) ? props.SubnetIds.length : 0;
            if (zones === 0) throw new Error('cost estimate: an interface endpoint without SubnetIds');
            lines.add(
              'interface endpoint x AZ',
              zones,
              'endpoint-AZ-month',
              HOURS * PRICE_TABLE.interfaceEndpointHourly,
              'template',
            );
          }
          break;
        case 'AWS::RDS::DBInstance': {
          const cls = String(props.DBInstanceClass);
          lines.add(
            `Aurora ${cls}`,
            1,
            'instance-month',
            HOURS * priceOf(PRICE_TABLE.auroraHourly, cls, 'Aurora'),
            'template',
          );
          break;
        }
        case 'AWS::RDS::DBCluster':
          lines.add(
            'Aurora storage (assumed)',
            ESTIMATE_ASSUMPTIONS.auroraStorageGb,
            'GB-month',
            PRICE_TABLE.auroraStorageGbMonth,
            'assumption',
          );
          break;
        case 'AWS::EKS::Nodegroup': {
          const scaling = (props.ScalingConfig ?? {}) as { DesiredSize?: number; MinSize?: number };
          const count = scaling.DesiredSize ?? scaling.MinSize ?? 0;
          const types = (props.InstanceTypes ?? []) as string[];
          const instanceType = types[0];
          if (instanceType === undefined)
            throw new Error('cost estimate: a node group without InstanceTypes');
          const spot = props.CapacityType === 'SPOT';
          const hourly =
            priceOf(PRICE_TABLE.ec2Hourly, instanceType, 'EC2') * (spot ? PRICE_TABLE.spotFactor : 1);
          lines.add(
            `node group ${instanceType}${spot ? ' spot' : ''}`,
            count,
            'instance-month',
            HOURS * hourly,
            'template',
          );
          lines.add('node root volumes gp3', count * rootGb, 'GB-month', PRICE_TABLE.gp3GbMonth, 'template');
          break;
        }
        case 'Custom::AWSCDK-EKS-Cluster':
          lines.add(
            'EKS control plane',
            1,
            'cluster-month',
            HOURS * PRICE_TABLE.eksClusterHourly,
            'template',
          );
          break;
        case 'AWS::WAFv2::WebACL': {
          const rules = Array.isArray(props.Rules) ? props.Rules.length : 0;
          lines.add('WAF web ACL', 1, 'ACL-month', PRICE_TABLE.wafWebAclMonth, 'template');
          lines.add('WAF rules', rules, 'rule-month', PRICE_TABLE.wafRuleMonth, 'template');
          break;
        }
        case 'AWS::KMS::Key':
          lines.add('KMS keys', 1, 'key-month', PRICE_TABLE.kmsKeyMonth, 'template');
          break;
        case 'AWS::SecretsManager::Secret':
          lines.add('Secrets Manager secrets', 1, 'secret-month', PRICE_TABLE.secretMonth, 'template');
          break;
        case 'AWS::CloudWatch::Alarm':
          lines.add('CloudWatch alarms', 1, 'alarm-month', PRICE_TABLE.alarmMonth, 'template');
          break;
        default:
          throw new Error(`cost estimate: ${type} is marked priced but has no rule in estimate.ts`);
      }
    }
  }

  // Karpenter's nodes are launched by Karpenter, not CloudFormation: the expected floor is
  // nodes.minCapacity nodes of the first family's large size, spotSharePercent of them on spot.
  if (config.nodes.autoscaler === 'karpenter') {
    const instanceType = `${config.nodes.instanceFamilies[0]}.${ESTIMATE_ASSUMPTIONS.workloadNodeSize}`;
    const onDemandHourly = priceOf(PRICE_TABLE.ec2Hourly, instanceType, 'EC2');
    const nodes = config.nodes.minCapacity;
    const spotNodes = (nodes * config.finops.spotSharePercent) / 100;
    lines.add(
      `Karpenter ${instanceType} on-demand`,
      nodes - spotNodes,
      'instance-month',
      HOURS * onDemandHourly,
      'config',
    );
    lines.add(
      `Karpenter ${instanceType} spot`,
      spotNodes,
      'instance-month',
      HOURS * onDemandHourly * PRICE_TABLE.spotFactor,
      'config',
    );
    lines.add('node root volumes gp3', nodes * rootGb, 'GB-month', PRICE_TABLE.gp3GbMonth, 'config');
    if (config.nodes.detailedMonitoring)
      lines.add(
        'EC2 detailed monitoring',
        nodes,
        'instance-month',
        PRICE_TABLE.detailedMonitoringInstanceMonth,
        'config',
      );
  }
  const { albs, albLcus } = ESTIMATE_ASSUMPTIONS;
  lines.add('Application Load Balancer', albs, 'ALB-month', HOURS * PRICE_TABLE.albHourly, 'assumption');
  lines.add(
    'ALB capacity units',
    albs * albLcus,
    'LCU-month',
    HOURS * PRICE_TABLE.albLcuHourly,
    'assumption',
  );

  const list = lines.list().sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.item.localeCompare(b.item));
  return {
    environment: config.name,
    lines: list,
    totalUsd: round2(list.reduce((sum, line) => sum + line.monthlyUsd, 0)),
    usageBased: [...usage].sort(),
    unpriced: [...unpriced].sort(),
  };
}

const usd = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The estimate as a text table, as `npm run synth:platform` prints it. */
export function formatEstimate(estimate: EnvironmentEstimate): string {
  const rows = estimate.lines.map((l) => [
    l.item,
    String(Math.round(l.quantity * 100) / 100),
    l.unit,
    l.unitPriceUsd < 1 ? l.unitPriceUsd.toFixed(4) : usd(l.unitPriceUsd),
    usd(l.monthlyUsd),
    l.basis,
  ]);
  const header = ['item', 'qty', 'unit', 'USD/unit', 'USD/month', 'basis'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, i) =>
        i === 0 || i === 2 || i === 5 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const out = [
    `monthly cost estimate: ${estimate.environment} (prices ${PRICE_TABLE.region}, ${PRICE_TABLE.date}, platform/lib/finops/prices.ts)`,
    fmt(header),
    ...rows.map(fmt),
    `${'total'.padEnd(widths[0] ?? 0)}  ${usd(estimate.totalUsd)} USD/month, plus usage-billed: ${estimate.usageBased.length} resource types (${estimate.usageBased.map((t) => t.replace(/^AWS::/, '')).join(', ')})`,
  ];
  if (estimate.unpriced.length > 0)
    out.push(`UNPRICED resource types (add them to prices.ts): ${estimate.unpriced.join(', ')}`);
  return out.join('\n');
}
