// OTLP/HTTP JSON as the service's exporter sends it, read back into spans for assertions.

/** One exported span, as an OTLP/HTTP JSON request carries it. */
export interface ExportedSpan {
  service: unknown;
  name: string;
  traceId: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}

/** The spans of OTLP/HTTP JSON export requests (`{resourceSpans: [{resource, scopeSpans: [{spans}]}]}`). */
export function exportedSpans(bodies: readonly string[]): ExportedSpan[] {
  const value = (v: OtlpValue) =>
    v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue);
  const attributes = (list: { key: string; value: OtlpValue }[] = []) =>
    Object.fromEntries(list.map((a) => [a.key, value(a.value)]));
  return bodies.flatMap((body) => {
    const parsed = JSON.parse(body) as {
      resourceSpans: {
        resource: { attributes: { key: string; value: OtlpValue }[] };
        scopeSpans: {
          spans: {
            name: string;
            traceId: string;
            kind: number;
            attributes: { key: string; value: OtlpValue }[];
          }[];
        }[];
      }[];
    };
    return parsed.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((span) => ({
          service: attributes(rs.resource.attributes)['service.name'],
          name: span.name,
          traceId: span.traceId,
          kind: span.kind,
          attributes: attributes(span.attributes),
        })),
      ),
    );
  });
}
