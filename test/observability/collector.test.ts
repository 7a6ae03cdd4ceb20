import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { loadEnvironments } from '../../platform/config/index.js';
import { openAccount, startTestService } from '../../services/bank-api/test/support/harness.js';
import { exportedSpans } from '../../services/bank-api/test/support/otlp.js';

// The otel-collector Application's config, exactly as rendered into manifests/argocd/<env>, run by a
// real OpenTelemetry collector built from test/observability/collector (`npm run otelcol:build`):
// `validate` must accept it, and a running collector must keep what tail sampling is meant to keep.
// The collector is the upstream code of every component but two: the Go module proxy serves neither
// the awsxray exporter's internal modules nor the awsproxy extension, so those two are stand-ins that
// check only the keys we set (test/observability/collector/standin). REQUIRE_TOOLS=1 (.ci/run) turns
// a missing binary into a failure; elsewhere the suite is skipped, loudly.

const ROOT = join(import.meta.dirname, '..', '..');
const BINARY = join(process.env.BANK_TOOLS_DIR ?? join(ROOT, '.tools'), 'otelcol', 'bin', 'otelcol-bank');
const available = existsSync(BINARY);
if (!available) {
  if (process.env.REQUIRE_TOOLS === '1') {
    throw new Error(`the collector is required here: ${BINARY} is missing (npm run otelcol:build)`);
  }
  console.warn(
    `\n*** collector.test.ts SKIPPED: ${BINARY} is missing; run \`npm run otelcol:build\` ` +
      '(the otel-collector config is not checked by a real collector) ***\n',
  );
}

type Values = Record<string, unknown>;

/**
 * The chart's default `config` (opentelemetry-collector chart, values.yaml), as far as ours keeps it:
 * our values null the jaeger, zipkin and prometheus receivers, OTLP/gRPC, the debug exporter and the
 * logs and metrics pipelines, and set the traces pipeline whole, so what we rely on is the
 * health_check extension (the chart's probes), the memory_limiter and batch processors, the OTLP/HTTP
 * receiver and the collector's own telemetry. Transcribed from the chart (it cannot be fetched here):
 * keep it in step with argocd/versions.ts.
 */
const POD_IP = `\${env:MY_POD_IP}`;
const pod = (port: number) => `${POD_IP}:${port}`;
const CHART_DEFAULT_CONFIG: Values = {
  exporters: { debug: {} },
  extensions: { health_check: { endpoint: pod(13133) } },
  processors: {
    batch: {},
    memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 },
  },
  receivers: {
    jaeger: {
      protocols: {
        grpc: { endpoint: pod(14250) },
        thrift_http: { endpoint: pod(14268) },
        thrift_compact: { endpoint: pod(6831) },
      },
    },
    otlp: {
      protocols: {
        grpc: { endpoint: pod(4317) },
        http: { endpoint: pod(4318) },
      },
    },
    prometheus: {
      config: {
        scrape_configs: [
          {
            job_name: 'opentelemetry-collector',
            scrape_interval: '10s',
            static_configs: [{ targets: [pod(8888)] }],
          },
        ],
      },
    },
    zipkin: { endpoint: pod(9411) },
  },
  service: {
    telemetry: {
      metrics: {
        readers: [{ pull: { exporter: { prometheus: { host: POD_IP, port: 8888 } } } }],
      },
    },
    extensions: ['health_check'],
    pipelines: {
      logs: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp'] },
      metrics: {
        exporters: ['debug'],
        processors: ['memory_limiter', 'batch'],
        receivers: ['otlp', 'prometheus'],
      },
      traces: {
        exporters: ['debug'],
        processors: ['memory_limiter', 'batch'],
        receivers: ['otlp', 'jaeger', 'zipkin'],
      },
    },
  },
};

const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's coalescing of user values over chart defaults: maps merge, a null deletes, the rest replaces. */
function coalesce(defaults: Values, values: Values): Values {
  const out: Values = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = coalesce(out[key], value);
    else out[key] = value;
  }
  return out;
}

/** The otel-collector Application's helm values for `env`, read back from the rendered manifests. */
function renderedValues(envName: string): Values {
  const file = join(ROOT, 'manifests', 'argocd', envName, 'argocd.k8s.yaml');
  const app = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Values & { kind?: string; metadata?: { name?: string } })
    .find((o) => o.kind === 'Application' && o.metadata?.name === 'otel-collector');
  expect(app, `otel-collector Application in ${file}`).toBeDefined();
  const helm = (app as { spec: { source: { helm: { values: string } } } }).spec.source.helm;
  return parseYaml(helm.values) as Values;
}

/** The collector config the chart renders for `env`: its defaults, then our values. */
function collectorConfig(envName: string): Values {
  return coalesce(CHART_DEFAULT_CONFIG, renderedValues(envName).config as Values);
}

const dir = mkdtempSync(join(tmpdir(), 'otelcol-'));
/** A pod IP of its own for each collector started (the chart sets MY_POD_IP from status.podIP): a
 * loopback address, so the config's fixed ports (4318, 2000, 13133, 8888) need no rewriting and
 * neither collide with each other nor with anything else on the machine. */
let podIps = 0;
const newPodIp = () => `127.${10 + (process.pid % 200)}.${Math.floor(Math.random() * 250) + 1}.${++podIps}`;
const collectorEnv = (podIp: string) => ({
  ...process.env,
  MY_POD_IP: podIp,
  // The AWS SDK finds these first and never asks the instance metadata service.
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'eu-central-1',
  AWS_EC2_METADATA_DISABLED: 'true',
});

interface RunningCollector {
  podIp: string;
  log: string[];
  stop(): Promise<void>;
}

/** Starts the collector on `config` and waits until the chart's probe endpoint (health_check) answers. */
async function startCollector(name: string, config: Values): Promise<RunningCollector> {
  const podIp = newPodIp();
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(config));
  const proc = spawn(BINARY, [`--config=${file}`], {
    env: collectorEnv(podIp),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  proc.stdout?.on('data', (c) => log.push(String(c)));
  proc.stderr?.on('data', (c) => log.push(String(c)));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
  };
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://${podIp}:13133/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { podIp, log, stop };
    if (i > 300 || proc.exitCode !== null) {
      await stop();
      throw new Error(`the collector did not become healthy:\n${log.join('')}`);
    }
    await sleep(100);
  }
}

const envNames = loadEnvironments().map((e) => e.name);

describe.skipIf(!available)('the otel-collector config, run by a real collector', () => {
  it.each(envNames)('%s: `otelcol validate` accepts the rendered config', (envName) => {
    const file = join(dir, `${envName}.yaml`);
    writeFileSync(file, stringify(collectorConfig(envName)));
    const result = spawnSync(BINARY, ['validate', `--config=${file}`], {
      env: collectorEnv(newPodIp()),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  // `validate` only decodes the config; a component's own checks that run at start (tail sampling's
  // policies, for one) need the collector started.
  it.each(envNames)(
    '%s: the collector starts on the rendered config and reports healthy',
    async (envName) => {
      const collector = await startCollector(`start-${envName}`, collectorConfig(envName));
      await collector.stop();
      expect(collector.log.join(''), 'no error logged').not.toMatch(/\terror\t/);
    },
  );

  it('the start check has teeth: a misspelt status code in a policy stops the collector', async () => {
    const config = structuredClone(collectorConfig('prod'));
    const { tail_sampling: tail } = config.processors as { tail_sampling: { policies: Values[] } };
    const errors = tail.policies.find((p) => p.name === 'errors') as {
      status_code: { status_codes: string[] };
    };
    errors.status_code.status_codes = ['EROR'];
    const file = join(dir, 'misspelt.yaml');
    writeFileSync(file, stringify(config));
    // `validate` lets it through; starting does not.
    expect(
      spawnSync(BINARY, ['validate', `--config=${file}`], { env: collectorEnv(newPodIp()) }).status,
    ).toBe(0);
    await expect(startCollector('misspelt', config)).rejects.toThrow(/unknown status code "EROR"/);
  });

  it('relies on the chart for health_check, memory_limiter and batch only', () => {
    for (const envName of envNames) {
      const ours = renderedValues(envName).config as Values;
      const used = collectorConfig(envName);
      const service = used.service as { extensions: string[]; pipelines: Values };
      expect(Object.keys(service.pipelines)).toEqual(['traces']);
      const fromChart = (section: string, names: string[]) =>
        names.filter((n) => !isMap((ours[section] as Values | undefined)?.[n]));
      const traces = service.pipelines.traces as Record<string, string[]>;
      expect(fromChart('extensions', service.extensions)).toEqual(['health_check']);
      expect(fromChart('processors', traces.processors ?? [])).toEqual(['memory_limiter', 'batch']);
      expect(fromChart('receivers', traces.receivers ?? [])).toEqual([]);
      expect(fromChart('exporters', traces.exporters ?? [])).toEqual([]);
    }
  });

  describe('a running collector (prod config) fed by the real bank-api', () => {
    const received: string[] = [];
    let stub: Server;
    let collector: RunningCollector | undefined;
    const config = collectorConfig('prod');
    const processors = config.processors as Record<string, Values>;
    // decision_wait is how long tail sampling holds a trace before deciding; 10s in the values. The
    // test waits the rendered value, capped at 2s so it stays quick: the only key changed for the run.
    const renderedWait = String(processors.tail_sampling?.decision_wait);
    const waitSeconds = Math.min(Number(/^(\d+)s$/.exec(renderedWait)?.[1] ?? Number.NaN), 2);

    beforeAll(async () => {
      expect(waitSeconds, `decision_wait ${renderedWait}`).toBeGreaterThan(0);
      stub = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += String(c);
        });
        req.on('end', () => {
          if (req.url === '/v1/traces') received.push(body);
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        });
      });
      stub.listen(0, '127.0.0.1');
      await once(stub, 'listening');
      const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

      // The awsxray stand-in drops what it gets; an OTLP/HTTP exporter beside it, in the same
      // pipeline, shows the stub what the collector would have sent to X-Ray.
      const run = structuredClone(config) as Values & {
        exporters: Values;
        service: { pipelines: { traces: { exporters: string[] } } };
      };
      (run.processors as { tail_sampling: Values }).tail_sampling.decision_wait = `${waitSeconds}s`;
      run.exporters['otlphttp/stub'] = { endpoint: stubUrl, encoding: 'json', compression: 'none' };
      run.service.pipelines.traces.exporters.push('otlphttp/stub');
      collector = await startCollector('run', run);
    });

    afterAll(async () => {
      await collector?.stop();
      stub?.close();
    });

    it('keeps money movement and drops a healthy probe (tail sampling on real spans)', async () => {
      const svc = await startTestService('pglite', {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collector?.podIp}:4318`,
        OTEL_SERVICE_NAME: 'bank-api',
      });
      const headers = await svc.auth('otelcol');
      const from = await openAccount(svc, 'otelcol', { deposit: 100 });
      const to = await openAccount(svc, 'otelcol-payee');
      // A failed transfer (insufficient funds): kept by the money-movement policy.
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'otelcol-1')
        .set('X-Request-Id', 'otelcol-failed-transfer')
        .send({ fromAccountId: from, toAccountId: to, amount: 500 })
        .expect(422);
      // A fast, healthy probe: only the 10 % baseline could keep it, and the baseline hashes the
      // trace id, so this one is fixed and known to fall outside it.
      const probeTrace = '0af7651916cd43dd8448eb211c80319c';
      await svc.api
        .get('/readyz')
        .set('traceparent', `00-${probeTrace}-b7ad6b7169203331-01`)
        .set('X-Request-Id', 'otelcol-probe')
        .expect(200);
      await svc.close(); // flushes bank-api's batch to the collector

      const byRequest = (id: string) =>
        exportedSpans(received).find((s) => s.attributes['bank.request_id'] === id);
      const deadline = Date.now() + (waitSeconds + 15) * 1000;
      while (!byRequest('otelcol-failed-transfer') && Date.now() < deadline) await sleep(200);
      expect(byRequest('otelcol-failed-transfer'), collector?.log.join('')).toMatchObject({
        service: 'bank-api',
        name: 'POST /v1/transfers',
        attributes: { 'http.route': '/v1/transfers', 'http.response.status_code': 422 },
      });
      // The deposit is money movement too.
      expect(exportedSpans(received).some((s) => s.name === 'POST /v1/accounts/:id/deposits')).toBe(true);
      // Past the decision for the probe's trace too: dropped.
      await sleep(waitSeconds * 1000 + 1000);
      expect(byRequest('otelcol-probe')).toBeUndefined();
      expect(exportedSpans(received).some((s) => s.traceId === probeTrace)).toBe(false);
    });
  });
});
