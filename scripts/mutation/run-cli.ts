import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';
import type { MutationTestResult } from 'mutation-testing-report-schema';
import {
  MUTATION_MODULES,
  MUTATION_SCORE_FLOOR,
  MUTATION_TESTS_ENV,
  type MutationModule,
  moduleSlug,
  SOURCE_REPOSITORY_ENV,
} from '../../test/mutation/modules.js';
import { belowFloor, formatScores, type ModuleScore, moduleScores } from './scores.js';

// npm run test:mutation -- [--incremental] [--module <name> ...]
//
// Runs Stryker (stryker.config.mjs) once per module in test/mutation/modules.ts, with only that
// module's suites, then prints each module's mutation score. Exit 0 when every module reaches the
// floor, 1 when one does not or Stryker fails, 2 for bad arguments. --incremental reuses the previous
// run's results for unchanged code and tests (test/mutation/baseline/<module>.json, committed, so a
// fresh clone re-runs only the mutants its changes touch); a full run rewrites that baseline;
// --module restricts the run.

const USAGE = 'usage: npm run test:mutation -- [--incremental] [--module <name> ...]';
const root = join(import.meta.dirname, '..', '..');
const baselineDir = join(root, 'test', 'mutation', 'baseline');

async function mutate(module: MutationModule, incremental: boolean): Promise<ModuleScore> {
  const slug = moduleSlug(module);
  const report = `reports/mutation/${slug}.json`;
  // Stryker's workers are forked from this process and inherit the variable; the mutation Vitest
  // config reads it to run only this module's suites.
  process.env[MUTATION_TESTS_ENV] = module.tests.join(',');
  // The sandbox is outside any repository (stryker.config.mjs); fixtures clone this checkout.
  process.env[SOURCE_REPOSITORY_ENV] = root;
  // The sandbox leaves out .tools (stryker.config.mjs): the tests find the scanners here.
  process.env.BANK_TOOLS_DIR ??= join(root, '.tools');
  const started = performance.now();
  await new Stryker({
    // A full run tests every mutant (force) and still writes the module's baseline, so a full run
    // is also how a baseline is refreshed; Stryker's incremental mode keeps a survivor's result
    // while its code is unchanged, even when tests were added for it.
    incremental: true,
    force: !incremental,
    incrementalFile: join(baselineDir, `${slug}.json`),
    mutate: [...module.files],
    jsonReporter: { fileName: report },
    htmlReporter: { fileName: `reports/mutation/${slug}.html` },
  }).runMutationTest();
  const result = JSON.parse(readFileSync(join(root, report), 'utf8')) as MutationTestResult;
  const [score] = moduleScores(result, [module], root);
  if (!score) throw new Error(`no score for ${module.name}`);
  console.log(`\n${module.name}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return score;
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      incremental: { type: 'boolean', default: false },
      module: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const unknown = values.module.filter((name) => !MUTATION_MODULES.some((m) => m.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown --module ${unknown.map((n) => `'${n}'`).join(', ')}; one of: ${MUTATION_MODULES.map((m) => `'${m.name}'`).join(', ')}`,
    );
  }
  return values;
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`test:mutation: ${error instanceof Error ? error.message : String(error)}`);
    console.error(USAGE);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const modules =
    args.module.length === 0
      ? MUTATION_MODULES
      : MUTATION_MODULES.filter((m) => args.module.includes(m.name));
  const started = performance.now();
  const scores: ModuleScore[] = [];
  for (const module of modules) scores.push(await mutate(module, args.incremental));
  console.log(
    `\nmutation scores (floor ${MUTATION_SCORE_FLOOR} %, ${args.incremental ? 'incremental' : 'full'} run, ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s; details in reports/mutation/<module>.html)`,
  );
  console.log(formatScores(scores, MUTATION_SCORE_FLOOR));
  const failing = belowFloor(scores, MUTATION_SCORE_FLOOR);
  if (failing.length > 0) {
    console.error(
      `\ntest:mutation: below ${MUTATION_SCORE_FLOOR} %: ${failing.map((s) => s.module).join(', ')}`,
    );
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
