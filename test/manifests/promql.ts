import { parser } from '@prometheus-io/lezer-promql';

/** Grafana's interval variables are not PromQL; a fixed duration stands in for them when parsing. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)/g, '5m');
}

/**
 * Metric names an expression selects, read from the PromQL syntax tree (Prometheus's own lezer
 * grammar), so functions, labels and keywords never pass for metric names. Throws on a syntax error.
 */
export function metricNames(expr: string): string[] {
  const source = withoutGrafanaVariables(expr);
  const tree = parser.parse(source);
  const names = new Set<string>();
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined)
        error = `syntax error at ${node.from}: ${source.slice(node.from, node.from + 30)}`;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.add(source.slice(node.from, node.to));
    },
  });
  if (error) throw new Error(`${error}\n  in: ${expr}`);
  return [...names].sort();
}
