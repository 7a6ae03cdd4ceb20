import { EnvironmentConfigError, parseEnvironment } from '../../platform/config/index.js';

/** An environment config as written in platform/config/environments.ts, before validation. */
export type RawConfig = Record<string, unknown>;

/**
 * A copy of `base` with values replaced at dotted paths (`'nodes.maxCapacity'`, `'apiAllowedCidrs.0'`),
 * or removed where the value is undefined: one bad field at a time for the config tests.
 */
export function withValues(base: RawConfig, values: RawConfig): RawConfig {
  const copy = structuredClone(base);
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let node = copy;
    for (const key of keys) node = node[key] as RawConfig;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}

/** One problem `parseEnvironment` reports: the dotted field and the message an operator reads. */
export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

/** The issues parseEnvironment reports for `raw` under its own name ([] when it is accepted). */
export function issuesOf(raw: RawConfig): ConfigIssue[] {
  try {
    parseEnvironment(raw.name as string, raw);
    return [];
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return [...error.issues];
    throw error;
  }
}
