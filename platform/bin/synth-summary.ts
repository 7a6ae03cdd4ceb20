import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as blueprints from '@aws-quickstart/eks-blueprints';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { EnvironmentConfigError, loadEnvironments } from '../config/index.js';
import { compliancePacks, complianceVerdict, unacknowledgedFindings } from '../lib/compliance.js';
import { type CfnTemplate, estimateEnvironment, formatEstimate } from '../lib/finops/estimate.js';
import { createPlatformApp } from '../lib/platform-app.js';
import { assertSupportedNode } from './supported-node.js';
import { synthArguments } from './synth-arguments.js';

// `npm run synth:platform`: synthesizes every environment into cdk.out (the same assembly
// `npx cdk synth` writes) and prints stacks, resource counts and the cdk-nag result. A finding no
// acknowledgement covers fails the command (exit 1) after the packs' report, and the summary says
// how many there are.

function countAcknowledgements(root: IConstruct): number {
  let count = 0;
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        count += Object.keys(entry.data ?? {}).length;
    }
  }
  return count;
}

async function main(): Promise<void> {
  const stop = synthArguments(
    process.argv.slice(2),
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
  );
  if (stop !== undefined) process.exit(stop);
  assertSupportedNode();
  blueprints.utils.userLog.settings.minLevel = 3;
  const started = performance.now();
  const configs = loadEnvironments();
  const { app } = await createPlatformApp(configs, {
    outdir: process.env.CDK_OUTDIR ?? 'cdk.out',
  });
  const assembly = app.synth();

  const rows = assembly.stacks.map((stack) => {
    const resources = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
    return { stack: stack.stackName, resources };
  });
  const width = Math.max(...rows.map((r) => r.stack.length));
  console.log(`${'stack'.padEnd(width)}  resources`);
  for (const row of rows) console.log(`${row.stack.padEnd(width)}  ${String(row.resources).padStart(9)}`);
  // aws-eks puts its cluster and kubectl providers in nested stacks, written next to the templates.
  const nested = readdirSync(assembly.directory).filter((f) => f.endsWith('.nested.template.json'));
  const nestedResources = nested.reduce((sum, file) => {
    const template = JSON.parse(readFileSync(join(assembly.directory, file), 'utf8')) as {
      Resources?: object;
    };
    return sum + Object.keys(template.Resources ?? {}).length;
  }, 0);
  console.log(`${`nested (${nested.length})`.padEnd(width)}  ${String(nestedResources).padStart(9)}`);
  const total = rows.reduce((sum, r) => sum + r.resources, nestedResources);
  console.log(
    `${'total'.padEnd(width)}  ${String(total).padStart(9)}  (${rows.length} stacks + ${nested.length} nested)`,
  );
  // Monthly cost estimate per environment (docs/platform/cost.md): its stacks' templates, the nested
  // ones included (files named after the stack without dashes), priced from platform/lib/finops/prices.ts.
  for (const config of configs) {
    const stacks = assembly.stacks.filter((s) => s.stackName.startsWith(`bank-${config.name}-`));
    const nestedPrefixes = stacks.map((s) => s.stackName.replaceAll('-', ''));
    const templates: CfnTemplate[] = [
      ...stacks.map((s) => s.template as CfnTemplate),
      ...nested
        .filter((f) => nestedPrefixes.some((p) => f.startsWith(p)))
        .map((f) => JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')) as CfnTemplate),
    ];
    const estimate = estimateEnvironment(config, templates);
    console.log(`\n${formatEstimate(estimate)}`);
    if (estimate.unpriced.length > 0) process.exitCode = 1;
  }
  console.log('');
  const packs = compliancePacks().map((p) => p.readPackName);
  const findings = unacknowledgedFindings(assembly.directory);
  const acknowledged = countAcknowledgements(app);
  const verdict = complianceVerdict(findings, packs, acknowledged);
  if (verdict.failed) {
    console.error(verdict.message);
    process.exit(1);
  }
  console.log(verdict.message);
  console.log(
    `cloud assembly: ${assembly.directory} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvironmentConfigError ? error.message : error);
  process.exit(1);
});
