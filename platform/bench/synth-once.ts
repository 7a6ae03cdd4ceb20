import { performance } from 'node:perf_hooks';
import * as blueprints from '@aws-quickstart/eks-blueprints';
import { createPlatformApp } from '../lib/platform-app.js';
import { benchEnvironments } from './environments.js';
import { RESULT_PREFIX, type SynthResult } from './report.js';

// One measured synth, run by platform/bench/synth.ts in a fresh process per environment count:
//   tsx platform/bench/synth-once.ts <count> <outdir>
// Prints one line `SYNTH_RESULT <json>` on stdout. Exits non-zero when synth fails (including an
// unacknowledged cdk-nag finding, which aws-cdk-lib reports on stderr and flags with exitCode 1).

// The context `cdk synth` passes to the app (CDK_CONTEXT_JSON), so the figures match the CLI's.
const CLI_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
};

async function main(argv: string[]): Promise<void> {
  const [countArg, outdir] = argv;
  if (!countArg || !/^\d+$/.test(countArg) || !outdir) {
    throw new Error('usage: synth-once.ts <count> <outdir>');
  }
  const startupSeconds = performance.now() / 1000;
  blueprints.utils.userLog.settings.minLevel = 3;
  const configs = benchEnvironments(Number(countArg));

  const built = performance.now();
  const { app } = await createPlatformApp(configs, { outdir, context: CLI_CONTEXT });
  const synthesized = performance.now();
  const assembly = app.synth();
  const done = performance.now();

  if (process.exitCode !== undefined && process.exitCode !== 0) return; // validation failed; reported above
  const cpu = process.cpuUsage();
  const result: SynthResult = {
    environments: configs.length,
    stacks: assembly.stacks.length,
    startupSeconds,
    buildSeconds: (synthesized - built) / 1000,
    synthSeconds: (done - synthesized) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
