// Runtime configuration, served by the web server from its environment (GET /config.json), so one
// built bundle runs in every environment.

export type RuntimeConfig =
  | { authMode: 'dev' }
  | { authMode: 'oidc'; oidc: { issuer: string; clientId: string } };

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /config.json answered ${response.status}`);
  return (await response.json()) as RuntimeConfig;
}
