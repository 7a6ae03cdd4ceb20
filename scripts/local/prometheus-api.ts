// The parts of Prometheus's HTTP API the local platform and the live tests read.

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
}

async function get<T>(base: string, path: string, params: Record<string, string> = {}): Promise<T> {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
  return body.data;
}

/** An instant vector query; scalars and strings are refused (panels and rules return vectors). */
export async function queryVector(base: string, expr: string): Promise<Sample[]> {
  const data = await get<{ resultType: string; result: Sample[] }>(base, '/api/v1/query', { query: expr });
  if (data.resultType !== 'vector') throw new Error(`'${expr}' returned a ${data.resultType}, not a vector`);
  return data.result;
}

export async function activeAlerts(base: string): Promise<PrometheusAlert[]> {
  return (await get<{ alerts: PrometheusAlert[] }>(base, '/api/v1/alerts')).alerts;
}

export interface TargetHealth {
  readonly labels: Record<string, string>;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export async function activeTargets(base: string): Promise<TargetHealth[]> {
  return (await get<{ activeTargets: TargetHealth[] }>(base, '/api/v1/targets', { state: 'active' }))
    .activeTargets;
}

export interface RuleHealth {
  readonly name: string;
  readonly health: string;
  readonly lastError?: string;
  readonly type: 'recording' | 'alerting';
}

export async function ruleHealth(base: string): Promise<RuleHealth[]> {
  const data = await get<{ groups: { rules: RuleHealth[] }[] }>(base, '/api/v1/rules');
  return data.groups.flatMap((g) => g.rules);
}
