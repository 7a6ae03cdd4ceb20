/** Every PromQL expression of a dashboard's panels, in panel order (for checks and the live test). */
export function dashboardExpressions(dashboard: unknown): string[] {
  const panels = ((dashboard as { panels?: unknown[] }).panels ?? []) as { targets?: { expr?: string }[] }[];
  return panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).filter((e) => e.length > 0);
}
