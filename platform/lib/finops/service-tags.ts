import { type Stack, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CostService } from '../../config/schema.js';
import { SERVICE_TAG_KEY } from '../../config/tags.js';
import { AuroraDatabase } from '../data/aurora-database.js';
import { DataBackup } from '../data/data-backup.js';

export { SERVICE_TAG_KEY };

/** The stacks of one environment, as far as the Service tag cares. */
export interface ServiceTagTargets {
  readonly security: Stack;
  readonly network: Stack;
  readonly delivery: Stack;
  readonly cluster: Stack;
  readonly backupCopy?: Stack;
  readonly standbyStorage?: Stack;
  readonly standbyDatabase?: Stack;
  readonly finops?: Stack;
}

/**
 * Which resources carry which value of the Service tag. Everything is `platform` (VPC, NAT, endpoints,
 * the cluster and its nodes, security services) unless named here:
 * - `data`: the Aurora cluster, its backup plan and vault, the backups bucket, the backup copy vault
 *   and the standby database (a whole stack each);
 * - `bank-api`: its and bank-web's image repositories and its assets bucket.
 * A more specific tag wins over the stack's: CDK applies tags top-down, the later (deeper) one last.
 * A construct named here that no longer exists stops synth, so a renamed construct is not silently
 * billed as `platform`.
 */
export function applyServiceTags(stacks: ServiceTagTargets): Record<CostService, IConstruct[]> {
  const tagged: Record<CostService, IConstruct[]> = {
    platform: Object.values(stacks).filter((s): s is Stack => s !== undefined),
    data: [
      ...only(stacks.cluster, (c) => c instanceof AuroraDatabase, 'AuroraDatabase'),
      ...only(stacks.cluster, (c) => c instanceof DataBackup, 'DataBackup'),
      child(stacks.cluster, 'BackupsBucket'),
      ...[stacks.backupCopy, stacks.standbyDatabase].filter((s): s is Stack => s !== undefined),
    ],
    'bank-api': [
      // The customer app's two images (bank-api, bank-web) share its budget line, as they share its ALB.
      child(stacks.delivery, 'BankApiRepository'),
      child(stacks.delivery, 'BankWebRepository'),
      child(stacks.cluster, 'AssetsBucket'),
    ],
  };
  // platform first: the deeper, more specific tags are added after it and win.
  for (const service of ['platform', 'data', 'bank-api'] as const) {
    for (const scope of tagged[service]) Tags.of(scope).add(SERVICE_TAG_KEY, service);
  }
  return tagged;
}

function only(stack: Stack, test: (c: IConstruct) => boolean, what: string): IConstruct[] {
  const found = stack.node.findAll().filter(test);
  if (found.length !== 1)
    throw new Error(`applyServiceTags: expected one ${what} in ${stack.stackName}, found ${found.length}`);
  return found;
}

function child(stack: Stack, id: string): IConstruct {
  const found = stack.node.tryFindChild(id);
  if (!found) throw new Error(`applyServiceTags: ${stack.stackName} has no construct '${id}'`);
  return found;
}
