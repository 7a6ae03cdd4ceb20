import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface Tracing {
  tracer: Tracer;
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
}

const NOOP: Tracing = { tracer: trace.getTracer('bank-api-noop'), shutdown: async () => {} };

/**
 * Tracing is off (a no-op tracer, no exporter, no cost) unless an OTLP endpoint is configured.
 * Spans are created explicitly by the request and database layers rather than by monkey-patching
 * modules, which is unreliable for ESM.
 */
export function createTracing(
  options: { endpoint: string; serviceName: string; version: string } | undefined,
): Tracing {
  if (!options) return NOOP;
  const base = options.endpoint.replace(/\/+$/, '');
  const exporter = new OTLPTraceExporter({ url: base.endsWith('/v1/traces') ? base : `${base}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.version,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 })],
  });
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracer: provider.getTracer('bank-api', options.version),
    shutdown: () => provider.shutdown(),
  };
}

export { context, propagation, trace };
