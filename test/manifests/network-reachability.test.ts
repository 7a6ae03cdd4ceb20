import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type EnvironmentConfig, loadEnvironments } from '../../platform/config/index.js';
import { TOOLS_DIR } from '../../scripts/local/layout.js';
import { ofKind, renderObjects, rowsOf } from './rendered.js';

// Who may talk to bank-api and bank-web, and where each may go, decided by an independent NetworkPolicy
// engine: Cyclonus (`cyclonus analyze --mode query-traffic`) evaluates the rendered policies of each
// environment (the namespace's default deny and every allow rule together) for each flow below. The
// expected verdicts are written out here, with addresses from the subnets docs/platform/README.md
// lists; an extra allow rule anywhere (say, allow-all egress beside the default deny) flips a
// "denied" row and fails the test.

const cyclonus = join(TOOLS_DIR, 'bin', 'cyclonus');
const required = process.env.REQUIRE_TOOLS === '1';
if (!existsSync(cyclonus) && required) {
  throw new Error('REQUIRE_TOOLS=1 but cyclonus is not installed (npm run tools:install)');
}

// Rendered inside each test, so a mutant of the charts runs only the tests that reach it.
const environments = loadEnvironments();

interface Peer {
  readonly ip: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
}

interface Flow {
  readonly what: string;
  readonly from: Peer;
  readonly to: Peer;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly allowed: boolean;
}

/** The addresses of one environment's VPC (docs/platform/README.md, "What the charts can rely on"). */
const ADDRESSES = {
  dev: {
    alb: '10.10.0.5',
    pod: '10.10.40.5',
    api: '10.10.64.9',
    web: '10.10.65.3',
    endpoint: '10.10.96.7',
    database: '10.10.130.20',
  },
  prod: {
    alb: '10.20.4.5',
    pod: '10.20.40.5',
    api: '10.20.64.9',
    web: '10.20.65.3',
    endpoint: '10.20.96.7',
    database: '10.20.134.20',
  },
} as const;

const ns = (name: string) => ({ 'kubernetes.io/metadata.name': name });
const API_LABELS = { 'app.kubernetes.io/name': 'bank-api', 'app.kubernetes.io/component': 'api' };
const MIGRATION_LABELS = { 'app.kubernetes.io/name': 'bank-api', 'app.kubernetes.io/component': 'migration' };
const WEB_LABELS = { 'app.kubernetes.io/name': 'bank-web', 'app.kubernetes.io/component': 'api' };

function flows(env: keyof typeof ADDRESSES): Flow[] {
  const a = ADDRESSES[env];
  const api: Peer = { ip: a.api, namespace: 'bank', labels: API_LABELS };
  const migration: Peer = { ip: a.api, namespace: 'bank', labels: MIGRATION_LABELS };
  const web: Peer = { ip: a.web, namespace: 'bank', labels: WEB_LABELS };
  const prometheus: Peer = {
    ip: a.pod,
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/name': 'prometheus' },
  };
  const otherPod: Peer = { ip: a.pod, namespace: 'other', labels: { app: 'curious' } };
  const neighbour: Peer = { ip: a.pod, namespace: 'bank', labels: { app: 'neighbour' } };
  const dns: Peer = { ip: a.pod, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const collector: Peer = {
    ip: a.pod,
    namespace: 'monitoring',
    labels: {
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': 'otel-collector',
    },
  };
  const tcp = (what: string, from: Peer, to: Peer, port: number, allowed: boolean): Flow => ({
    what,
    from,
    to,
    protocol: 'TCP',
    port,
    allowed,
  });
  return [
    tcp('the ALB reaches the API port', { ip: a.alb }, api, 8080, true),
    tcp('the ALB does not reach the metrics port', { ip: a.alb }, api, 9464, false),
    tcp('a pod in another namespace cannot call the API', otherPod, api, 8080, false),
    tcp('a pod in the bank namespace cannot call the API', neighbour, api, 8080, false),
    tcp('Prometheus scrapes the metrics port', prometheus, api, 9464, true),
    tcp('Prometheus cannot call the API port', prometheus, api, 8080, false),
    tcp('nothing reaches the migration Job', { ip: a.alb }, migration, 8080, false),
    tcp('the API reaches PostgreSQL in the database subnets', api, { ip: a.database }, 5432, true),
    tcp('the API reaches no PostgreSQL elsewhere in the VPC', api, { ip: a.pod }, 5432, false),
    tcp('the migration Job reaches PostgreSQL', migration, { ip: a.database }, 5432, true),
    {
      what: 'the API resolves names through kube-dns',
      from: api,
      to: dns,
      protocol: 'UDP',
      port: 53,
      allowed: true,
    },
    {
      what: 'the API resolves nothing elsewhere',
      from: api,
      to: { ip: '8.8.8.8' },
      protocol: 'UDP',
      port: 53,
      allowed: false,
    },
    tcp('the API reaches the Pod Identity agent', api, { ip: '169.254.170.23' }, 80, true),
    tcp('the migration Job gets no AWS credentials', migration, { ip: '169.254.170.23' }, 80, false),
    tcp('the API never reaches instance metadata', api, { ip: '169.254.169.254' }, 80, false),
    tcp('the API reaches VPC endpoints over TLS', api, { ip: a.endpoint }, 443, true),
    tcp('the API reaches a public HTTPS endpoint (JWKS)', api, { ip: '203.0.113.10' }, 443, true),
    tcp('the API opens no plain HTTP to the internet', api, { ip: '203.0.113.10' }, 80, false),
    tcp('the API calls no other pod', api, neighbour, 8080, false),
    tcp('the API sends spans to the trace collector (OTLP/HTTP)', api, collector, 4318, true),
    tcp('the API reads X-Ray sampling rules from the collector', api, collector, 2000, true),
    tcp('the API reaches no other collector port', api, collector, 4317, false),
    tcp('the API reaches no other pod in monitoring on the OTLP port', api, prometheus, 4318, false),
    tcp('the migration Job sends no spans', migration, collector, 4318, false),
    tcp('a pod in the bank namespace reaches no database', neighbour, { ip: a.database }, 5432, false),
    // bank-web: the ALB and Prometheus in, DNS out, nothing else. The browser calls the API through
    // the ALB; the web server itself never does.
    tcp('the ALB reaches the web app port', { ip: a.alb }, web, 8080, true),
    tcp('the ALB does not reach the web app metrics port', { ip: a.alb }, web, 9464, false),
    tcp('Prometheus scrapes the web app metrics port', prometheus, web, 9464, true),
    tcp('a pod in another namespace cannot call the web app', otherPod, web, 8080, false),
    tcp('a pod in the bank namespace cannot call the web app', neighbour, web, 8080, false),
    tcp('the API cannot call the web app', api, web, 8080, false),
    tcp('the web app cannot call the API pods directly', web, api, 8080, false),
    {
      what: 'the web app resolves names through kube-dns',
      from: web,
      to: dns,
      protocol: 'UDP',
      port: 53,
      allowed: true,
    },
    tcp('the web app reaches no VPC endpoint', web, { ip: a.endpoint }, 443, false),
    tcp('the web app reaches no public HTTPS endpoint', web, { ip: '203.0.113.10' }, 443, false),
    tcp('the web app reaches no database', web, { ip: a.database }, 5432, false),
    tcp('the web app gets no AWS credentials', web, { ip: '169.254.170.23' }, 80, false),
    tcp('the web app never reaches instance metadata', web, { ip: '169.254.169.254' }, 80, false),
    tcp('the web app sends no spans', web, collector, 4318, false),
  ];
}

const toCyclonus = (flow: Flow) => {
  const peer = (p: Peer) => ({
    IP: p.ip,
    ...(p.namespace
      ? { Internal: { PodLabels: p.labels ?? {}, NamespaceLabels: ns(p.namespace), Namespace: p.namespace } }
      : {}),
  });
  return {
    Source: peer(flow.from),
    Destination: peer(flow.to),
    Protocol: flow.protocol,
    ResolvedPort: flow.port,
  };
};

/** Cyclonus's verdict for each flow, in order. */
function verdicts(env: EnvironmentConfig, list: readonly Flow[]): boolean[] {
  const root = mkdtempSync(join(tmpdir(), `reachability-${env.name}-`));
  // Cyclonus reads every file under the policy path as a policy: the traffic lives beside it.
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const policies = rowsOf(ofKind(renderObjects(env), 'NetworkPolicy'), `NetworkPolicies for ${env.name}`);
  policies.forEach((p, i) => {
    writeFileSync(join(dir, `policy-${i}.yaml`), stringify(p.object));
  });
  const traffic = join(root, 'traffic.json');
  writeFileSync(traffic, JSON.stringify(list.map(toCyclonus)));
  const result = spawnSync(
    cyclonus,
    ['analyze', '--mode', 'query-traffic', '--policy-path', dir, '--traffic-path', traffic],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`cyclonus exited ${result.status}: ${result.stderr}`);
  return [...result.stdout.matchAll(/^\| IS ALLOWED\? \|\s*(TRUE|FALSE)\s*\|/gm)].map((m) => m[1] === 'TRUE');
}

describe.skipIf(!existsSync(cyclonus))(
  'NetworkPolicy reachability of bank-api and bank-web (Cyclonus)',
  () => {
    it.each(environments.map((e) => [e.name, e] as const))(
      '%s: exactly the expected flows are allowed',
      (name, env) => {
        const list = flows(name as keyof typeof ADDRESSES);
        const got = verdicts(env, list);
        expect(got).toHaveLength(list.length);
        const table = (values: readonly boolean[]) =>
          list.map((flow, i) => `${values[i] ? 'allowed' : 'denied '} ${flow.what}`);
        expect(table(got)).toEqual(table(list.map((f) => f.allowed)));
      },
    );
  },
);
