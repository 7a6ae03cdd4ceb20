import { rawEnvironments } from '../config/environments.js';
import { type EnvironmentConfig, parseEnvironment } from '../config/index.js';

// Environments for the synth benchmark: copies of the committed `dev` with their own name, VPC CIDR
// and GitOps path, validated by the same schema the app uses. The committed config is not touched.

/** Second octets of 10.x.0.0/16 free for generated VPCs (the committed environments' are skipped). */
function freeSecondOctets(raw: Record<string, unknown>): number[] {
  const used = new Set(
    Object.values(raw).map((env) => {
      const cidr = (env as { vpcCidr?: unknown }).vpcCidr;
      const match = typeof cidr === 'string' ? /^10\.(\d{1,3})\./.exec(cidr) : null;
      return match ? Number(match[1]) : -1;
    }),
  );
  return Array.from({ length: 256 }, (_, octet) => octet).filter((octet) => !used.has(octet));
}

/** How many environments the benchmark can generate with non-overlapping /16 VPCs. */
export const maxBenchEnvironments = (raw: Record<string, unknown> = rawEnvironments): number =>
  freeSecondOctets(raw).length;

export const benchEnvironmentName = (index: number): string => `bench-${String(index + 1).padStart(3, '0')}`;

/**
 * `count` environments named bench-001, bench-002, ... Each is `dev` with its own name, a /16 VPC that
 * overlaps neither the others nor a committed environment, and its own `gitops.path`.
 */
export function benchEnvironments(
  count: number,
  raw: Record<string, unknown> = rawEnvironments,
): EnvironmentConfig[] {
  const octets = freeSecondOctets(raw);
  if (!Number.isInteger(count) || count < 1 || count > octets.length) {
    throw new RangeError(
      `environment count must be a whole number from 1 to ${octets.length} (got ${count})`,
    );
  }
  const base = raw.dev as Record<string, unknown> & { gitops: Record<string, unknown> };
  return octets.slice(0, count).map((octet, index) => {
    const name = benchEnvironmentName(index);
    return parseEnvironment(name, {
      ...structuredClone(base),
      name,
      vpcCidr: `10.${octet}.0.0/16`,
      gitops: { ...base.gitops, path: `manifests/${name}` },
    });
  });
}
