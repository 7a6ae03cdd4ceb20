import { rawEnvironments, rawOrganisation } from '../../platform/config/environments.js';
import type { EnvironmentConfigInput, Organisation } from '../../platform/config/schema.js';

// The committed config as the repository ships it: the bank's own domain, repository and account ids
// swapped back for the placeholders platform/config/placeholders.ts recognises. Tests of the
// placeholder warning and of the cdk-guard refusal run on this copy, so they keep testing something
// once the bank has set its real values (and are unchanged while the committed config is the shipped one).
// Only these imports: platform/config/index.ts may be redirected to this copy (placeholder-environments.ts).

/** What the repository ships in platform/config/environments.ts. */
export const SHIPPED = {
  domain: 'bank.example.com',
  githubRepository: 'example-bank/bank-platform',
  accounts: { dev: '111111111111', prod: '222222222222' } as Readonly<Record<string, string>>,
} as const;

/** The documentation account id an environment gets in the copy: its shipped one, or a digit twelve times. */
export const shippedAccount = (name: string, index: number): string =>
  SHIPPED.accounts[name] ?? String((index % 7) + 3).repeat(12);

/** `value` with every string in it rewritten by `replace`. */
function mapStrings<T>(value: T, replace: (s: string) => string): T {
  if (typeof value === 'string') return replace(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, replace)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, replace)])) as T;
  return value;
}

const swap = (s: string, from: string, to: string) => (from === to ? s : s.split(from).join(to));

/** The shipped organisation and raw environments (before validation), derived from the committed ones. */
export function placeholderRawConfig(): {
  organisation: Organisation;
  environments: Record<string, EnvironmentConfigInput>;
} {
  const names = (s: string) =>
    swap(
      swap(s, rawOrganisation.githubRepository, SHIPPED.githubRepository),
      rawOrganisation.domain,
      SHIPPED.domain,
    );
  const environments = Object.fromEntries(
    Object.entries(rawEnvironments).map(([name, raw], index) => {
      const account = String((raw as { account: unknown }).account);
      const placeholder = shippedAccount(name, index);
      return [name, mapStrings(raw, (s) => swap(names(s), account, placeholder))];
    }),
  );
  return { organisation: mapStrings(rawOrganisation, names), environments };
}

/**
 * NODE_OPTIONS for a child process (tsx, npm run ...) that loads the platform's config: platform/config
 * reads this copy instead of the committed environments.ts (placeholder-config.register.mjs).
 */
export function placeholderNodeOptions(inherited = process.env.NODE_OPTIONS): string {
  const register = new URL('./placeholder-config.register.mjs', import.meta.url).href;
  return [inherited, `--import ${register}`].filter(Boolean).join(' ');
}
