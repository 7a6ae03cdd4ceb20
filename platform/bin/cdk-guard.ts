import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { EnvironmentConfigError, loadEnvironments, loadOrganisation } from '../config/index.js';
import { placeholderFields, placeholderReport } from '../config/placeholders.js';
import type { EnvironmentConfig, Organisation } from '../config/schema.js';

// `npm run infra:diff` and `npm run infra:deploy`: the CDK CLI's diff and deploy, refused (exit 2)
// while an environment they would reach still holds placeholder values (platform/config/placeholders.ts).
// The CDK CLI does not tell the app which command it runs, so the app itself only warns at every synth
// (platform/bin/platform.ts); the refusal happens here, before the CLI starts.
//
//   tsx platform/bin/cdk-guard.ts <diff|deploy> [cdk arguments and stack selectors...]

/** CDK CLI options that take a value: the value is not a stack selector. */
const VALUE_OPTIONS = new Set([
  '-a',
  '--app',
  '-c',
  '--context',
  '-o',
  '--output',
  '--profile',
  '-r',
  '--role-arn',
  '--require-approval',
  '--toolkit-stack-name',
  '--change-set-name',
  '-m',
  '--method',
  '--parameters',
  '-O',
  '--outputs-file',
  '--progress',
  '--concurrency',
  '--notification-arns',
  '--plugin',
  '--template',
  '--context-lines',
]);

/** The stack selectors among the CLI arguments: the positionals that are not an option's value. */
export function stackSelectors(args: readonly string[]): string[] {
  const selectors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    selectors.push(arg);
  }
  return selectors;
}

/**
 * The environments `args` reach. Stacks are named `bank-<env>-<part>` (platform/lib/shared/naming.ts);
 * a selector reaches an environment when it could match one of its stacks. With no selector, `--all`,
 * or selectors that reach no environment by name, every environment counts: when unsure, check more.
 */
export function targetedEnvironments(args: readonly string[], names: readonly string[]): string[] {
  const selectors = stackSelectors(args);
  if (selectors.length === 0 || args.includes('--all')) return [...names];
  const reaches = (selector: string, name: string) => {
    const prefix = `bank-${name}-`;
    const wildcard = selector.search(/[*?]/);
    if (wildcard === -1) return selector.startsWith(prefix);
    const fixed = selector.slice(0, wildcard);
    return prefix.startsWith(fixed) || fixed.startsWith(prefix);
  };
  const targeted = names.filter((name) => selectors.some((selector) => reaches(selector, name)));
  return targeted.length > 0 ? targeted : [...names];
}

export type CdkCommand = 'diff' | 'deploy';

export interface GuardResult {
  /** The process exit code: 2 when refused, otherwise the CDK CLI's own. */
  readonly exitCode: number;
  /** Set when refused: what to change, field by field. */
  readonly refusal?: string;
}

/** Refuses with the fields to set, or runs `cdk <command> <args>` through `run`. */
export function guard(
  command: CdkCommand,
  args: readonly string[],
  config: { organisation: Organisation; environments: readonly EnvironmentConfig[] },
  run: (cdkArgs: string[]) => number,
): GuardResult {
  const names = targetedEnvironments(
    args,
    config.environments.map((e) => e.name),
  );
  const placeholders = placeholderFields(
    config.organisation,
    config.environments.filter((e) => names.includes(e.name)),
  );
  if (placeholders.length > 0) {
    return {
      exitCode: 2,
      refusal:
        `cdk ${command} refused: the environment config still holds placeholder values (${names.join(', ')}). Set:\n` +
        `${placeholderReport(placeholders)}\n` +
        "Synth works with placeholders; diff and deploy need the bank's own account ids, domain and repository.",
    };
  }
  return { exitCode: run([command, ...args]) };
}

function runCdk(cdkArgs: string[]): number {
  // npm puts node_modules/.bin first on PATH for its scripts.
  const result = spawnSync('cdk', cdkArgs, { stdio: 'inherit' });
  if (result.error) {
    console.error(`could not start the CDK CLI: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

function main(argv: string[]): number {
  const [command, ...args] = argv;
  if (command !== 'diff' && command !== 'deploy') {
    console.error('usage: tsx platform/bin/cdk-guard.ts <diff|deploy> [cdk arguments...]');
    return 64;
  }
  try {
    const config = { organisation: loadOrganisation(), environments: loadEnvironments() };
    const result = guard(command, args, config, runCdk);
    if (result.refusal) console.error(result.refusal);
    return result.exitCode;
  } catch (error) {
    if (error instanceof EnvironmentConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main(process.argv.slice(2));
}
