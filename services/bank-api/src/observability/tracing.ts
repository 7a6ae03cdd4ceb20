import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface Tracing {
  tracer: Tracer;
  /** Flushes buffered spans and stops exporting (and polling sampling rules). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP base URL (`/v1/traces` is appended unless present). */
  endpoint: string;
  serviceName: string;
  version: string;
  /**
   * Base URL of an X-Ray sampling proxy (the collector's `awsproxy` extension): the X-Ray sampling
   * rules (platform/lib/observability/sampling-rules.ts) then decide which root requests are
   * recorded, matched on service name, `http.request.method` and `url.path`. Without it every root
   * request is recorded.
   */
  samplingEndpoint?: string;
  /** Seconds between two reads of the rules. @default 60 */
  samplingRulesPollingSeconds?: number;
}

const NOOP: Tracing = { tracer: trace.getTracer('bank-api-noop'), shutdown: async () => {} };

/**
 * Tracing is off (a no-op tracer, no exporter, no cost) unless an OTLP endpoint is configured.
 * Spans are created explicitly by the request and database layers rather than by monkey-patching
 * modules, which is unreliable for ESM.
 *
 * Sampling is decided when the server span starts (head sampling): a caller's sampled trace context
 * is followed; otherwise the X-Ray rules decide when a sampling endpoint is set, else every request is
 * recorded. Errors are not known yet at that point: keeping errors is the collector's tail sampling.
 */
export function createTracing(options: TracingOptions | undefined): Tracing {
  if (!options) return NOOP;
  const base = options.endpoint.replace(/\/+$/, '');
  const exporter = new OTLPTraceExporter({ url: base.endsWith('/v1/traces') ? base : `${base}/v1/traces` });
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    [ATTR_SERVICE_VERSION]: options.version,
  });
  const xray = options.samplingEndpoint
    ? new AWSXRayRemoteSampler({
        resource,
        endpoint: options.samplingEndpoint.replace(/\/+$/, ''),
        pollingInterval: options.samplingRulesPollingSeconds ?? 60,
      })
    : undefined;
  const sampler: Sampler = xray ?? new ParentBasedSampler({ root: new AlwaysOnSampler() });
  const provider = new BasicTracerProvider({
    resource,
    sampler,
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 })],
  });
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracer: provider.getTracer('bank-api', options.version),
    shutdown: async () => {
      xray?.stopPollers();
      await provider.shutdown();
    },
  };
}

export { context, propagation, trace };
