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
