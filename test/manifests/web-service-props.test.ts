import { describe, expect, it } from 'vitest';
import {
  maxPods,
  resolveWebServiceProps,
  surgePods,
  terminationGracePeriodSeconds,
  type WebServiceProps,
} from '../../charts/lib/web-service/props.js';

// WebService props checked one rule at a time: a bad value names the prop with its exact message, and
// the value at the boundary passes. Expected messages are written out; a changed wording must be a
// conscious edit here.

/** A valid service with no database and no Ingress; each case changes what it is about. */
function baseProps(overrides: Partial<WebServiceProps> = {}): WebServiceProps {
  return {
    name: 'svc',
    namespace: 'bank',
    partOf: 'bank-platform',
    image: 'registry.example/svc:1.0.0',
    command: ['node', 'main.js'],
    replicas: { min: 2, max: 4 },
    resources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryRequestMiB: 128, memoryLimitMiB: 256 },
    environment: { AWS_REGION: 'eu-west-1' },
    vpcCidr: '10.0.0.0/16',
    loadBalancerCidrs: ['10.0.0.0/24'],
    ...overrides,
  };
}

const database = {
  secretName: 'svc/app',
  cidrs: ['10.0.64.0/24'],
} as const;

const ingress = {
  hostname: 'svc.example.com',
  wafAclName: 'waf',
  allowedCidrs: [],
  tags: { Service: 'svc' },
} as const;

/** The message `resolveWebServiceProps` throws, or undefined when it accepts the props. */
function errorOf(props: WebServiceProps): string | undefined {
  try {
    resolveWebServiceProps(props);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The expected message for service 'svc' with these problems, in the order they are checked. */
const misconfigured = (...problems: string[]) =>
  `WebService 'svc' is misconfigured:\n${problems.map((m) => `  - ${m}`).join('\n')}`;

describe('resolveWebServiceProps rejects bad props with an exact message', () => {
  it('reports every problem at once, one per line, under the service name', () => {
    expect(errorOf(baseProps({ name: 'svc', replicas: { min: 1, max: 0 }, metricsPort: 8080 }))).toBe(
      "WebService 'svc' is misconfigured:\n" +
        '  - replicas.min must be at least 2 (one pod is a single point of failure)\n' +
        '  - replicas.max must be >= replicas.min\n' +
        '  - metricsPort must differ from httpPort (metrics are never routed)',
    );
  });

  it('accepts a valid service', () => {
    expect(errorOf(baseProps())).toBeUndefined();
  });

  const cases: readonly (readonly [string, Partial<WebServiceProps>, readonly string[]])[] = [
    // priorityClassName: a DNS subdomain (up to 253 characters, alphanumeric at both ends)
    ...['-critical', 'critical-', 'Critical', 'bank_critical', '', `a${'b'.repeat(253)}`].map(
      (name) =>
        [
          `priorityClassName '${name.slice(0, 12)}'`,
          { priorityClassName: name },
          [`priorityClassName '${name}' must be a DNS subdomain name`],
        ] as const,
    ),
    // traceCollector: a port list and a pod selector that selects something
    [
      'a trace collector without ports',
      { traceCollector: { namespace: 'monitoring', podLabels: { app: 'otel' }, ports: [] } },
      ['traceCollector.ports must name at least one port'],
    ],
    ...[0, 65536, 4318.5].map(
      (port) =>
        [
          `a trace collector on port ${port}`,
          { traceCollector: { namespace: 'monitoring', podLabels: { app: 'otel' }, ports: [4318, port] } },
          [`traceCollector.ports: ${port} is not a TCP port`],
        ] as const,
    ),
    [
      'a trace collector selecting every pod',
      { traceCollector: { namespace: 'monitoring', podLabels: {}, ports: [4318] } },
      ['traceCollector.podLabels must select the collector pods (empty selects every pod)'],
    ],
    // replicas
    [
      'replicas.min 1',
      { replicas: { min: 1, max: 4 } },
      ['replicas.min must be at least 2 (one pod is a single point of failure)'],
    ],
    ['replicas.max below min', { replicas: { min: 3, max: 2 } }, ['replicas.max must be >= replicas.min']],
    // ports
    [
      'metrics on the HTTP port',
      { httpPort: 9000, metricsPort: 9000 },
      ['metricsPort must differ from httpPort (metrics are never routed)'],
    ],
    [
      'metrics on the default HTTP port',
      { metricsPort: 8080 },
      ['metricsPort must differ from httpPort (metrics are never routed)'],
    ],
    [
      'HTTP on the default metrics port',
      { httpPort: 9464 },
      ['metricsPort must differ from httpPort (metrics are never routed)'],
    ],
    // resources
    [
      'CPU limit below the request',
      {
        resources: { cpuRequestMillis: 200, cpuLimitMillis: 199, memoryRequestMiB: 128, memoryLimitMiB: 256 },
      },
      ['resources.cpuLimitMillis must be >= cpuRequestMillis'],
    ],
    [
      'memory limit below the request',
      {
        resources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryRequestMiB: 256, memoryLimitMiB: 255 },
      },
      ['resources.memoryLimitMiB must be >= memoryRequestMiB'],
    ],
    // shutdown
    [
      'no preStop pause',
      { shutdown: { preStopSeconds: 0, drainSeconds: 25 } },
      ['shutdown pauses must be at least 1 second'],
    ],
    [
      'no drain',
      { shutdown: { preStopSeconds: 10, drainSeconds: 0 } },
      ['shutdown pauses must be at least 1 second'],
    ],
    // load balancer subnets
    [
      'no load balancer subnet',
      { loadBalancerCidrs: [] },
      ['loadBalancerCidrs must name at least one subnet (nothing could reach the service)'],
    ],
    [
      'the VPC CIDR among the load balancer subnets',
      { loadBalancerCidrs: ['10.0.0.0/24', '10.0.0.0/16'] },
      ['loadBalancerCidrs must not be the VPC CIDR (every pod has an address there)'],
    ],
    // CIDR syntax, for the load balancer and the database subnets
    ['a CIDR without prefix length', { loadBalancerCidrs: ['10.0.0.0'] }, ["'10.0.0.0' is not an IPv4 CIDR"]],
    ['a CIDR with three octets', { loadBalancerCidrs: ['10.0.0/24'] }, ["'10.0.0/24' is not an IPv4 CIDR"]],
    [
      'a CIDR with five octets',
      { loadBalancerCidrs: ['10.0.0.0.0/24'] },
      ["'10.0.0.0.0/24' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR with a four-digit octet',
      { loadBalancerCidrs: ['1000.0.0.0/8'] },
      ["'1000.0.0.0/8' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR with a four-digit last octet',
      { loadBalancerCidrs: ['10.0.0.1000/8'] },
      ["'10.0.0.1000/8' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR with a three-digit prefix length',
      { loadBalancerCidrs: ['10.0.0.0/100'] },
      ["'10.0.0.0/100' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR with a leading word',
      { loadBalancerCidrs: ['x10.0.0.0/24'] },
      ["'x10.0.0.0/24' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR with a trailing word',
      { loadBalancerCidrs: ['10.0.0.0/24x'] },
      ["'10.0.0.0/24x' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR without a prefix length after the slash',
      { loadBalancerCidrs: ['10.0.0.0/'] },
      ["'10.0.0.0/' is not an IPv4 CIDR"],
    ],
    [
      'a CIDR with a letter in a later octet',
      { loadBalancerCidrs: ['10.0.x.0/24'] },
      ["'10.0.x.0/24' is not an IPv4 CIDR"],
    ],
    ['a CIDR with letters', { loadBalancerCidrs: ['a.b.c.d/24'] }, ["'a.b.c.d/24' is not an IPv4 CIDR"]],
    [
      'a CIDR with an empty octet',
      { loadBalancerCidrs: ['10..0.0/24'] },
      ["'10..0.0/24' is not an IPv4 CIDR"],
    ],
    ['a CIDR with a comma', { loadBalancerCidrs: ['10,0.0.0/24'] }, ["'10,0.0.0/24' is not an IPv4 CIDR"]],
    [
      'a CIDR with a letter prefix',
      { loadBalancerCidrs: ['10.0.0.0/ab'] },
      ["'10.0.0.0/ab' is not an IPv4 CIDR"],
    ],
    [
      'each bad CIDR, in order, the database ones after the load balancer ones',
      { loadBalancerCidrs: ['10.0.1.0/24', 'lb'], database: { ...database, cidrs: ['db', '10.0.64.0/24'] } },
      ["'lb' is not an IPv4 CIDR", "'db' is not an IPv4 CIDR"],
    ],
    // database
    [
      'a database without subnets',
      { database: { ...database, cidrs: [] } },
      ['database.cidrs must name the database subnets'],
    ],
    [
      'IAM auth without Pod Identity',
      { database: { ...database, auth: 'iam' } },
      ["database.auth 'iam' needs podIdentity: true (tokens are signed with its role)"],
    ],
    [
      'IAM auth without AWS_REGION',
      { podIdentity: true, environment: { NODE_ENV: 'production' }, database: { ...database, auth: 'iam' } },
      ["database.auth 'iam' needs AWS_REGION in environment"],
    ],
    [
      'IAM auth with an empty AWS_REGION',
      { podIdentity: true, environment: { AWS_REGION: '' }, database: { ...database, auth: 'iam' } },
      ["database.auth 'iam' needs AWS_REGION in environment"],
    ],
    [
      "IAM auth with sslMode 'require'",
      { podIdentity: true, database: { ...database, auth: 'iam', sslMode: 'require' } },
      ["database.auth 'iam' needs sslMode 'verify-full' (the token is a bearer credential)"],
    ],
    [
      'IAM auth with every requirement missing',
      { environment: {}, database: { ...database, auth: 'iam', sslMode: 'require' } },
      [
        "database.auth 'iam' needs podIdentity: true (tokens are signed with its role)",
        "database.auth 'iam' needs AWS_REGION in environment",
        "database.auth 'iam' needs sslMode 'verify-full' (the token is a bearer credential)",
      ],
    ],
    [
      "a migration reading the service's own secret",
      { database: { ...database, migration: { command: ['migrate'], secretName: 'svc/app' } } },
      [
        "database.migration.secretName must differ from database.secretName (the service never reads the owner's login)",
      ],
    ],
    // command: absent runs the image's own; present must say something
    [
      'an empty command',
      { command: [] },
      ["command must not be empty (leave it out to run the image's own command)"],
    ],
    // ingress: hosts, paths and the IngressGroup the ALB is shared through
    [
      'a shared host repeating the own host',
      {
        ingress: {
          ...ingress,
          sharedHosts: [{ hostname: 'svc.example.com', paths: [{ path: '/v1', pathType: 'Prefix' }] }],
        },
      },
      ["ingress: host 'svc.example.com' is listed twice"],
    ],
    [
      'a host without paths',
      { ingress: { ...ingress, paths: [] } },
      ["ingress: host 'svc.example.com' routes no path"],
    ],
    ...['v1', '/v1/', '/v1/*', '/v1 x', '//v1', ''].map(
      (path) =>
        [
          `path '${path}'`,
          { ingress: { ...ingress, paths: [{ path, pathType: 'Prefix' }] } },
          [
            `ingress: path '${path}' on 'svc.example.com' must be absolute, without a trailing slash or wildcard`,
          ],
        ] as const,
    ),
    [
      'a path listed twice on a shared host',
      {
        ingress: {
          ...ingress,
          sharedHosts: [
            {
              hostname: 'app.example.com',
              paths: [
                { path: '/v1', pathType: 'Prefix' },
                { path: '/v1', pathType: 'Exact' },
              ],
            },
          ],
        },
      },
      ["ingress: path '/v1' on 'app.example.com' is listed twice"],
    ],
    [
      "an Exact '/'",
      { ingress: { ...ingress, paths: [{ path: '/', pathType: 'Exact' }] } },
      ["ingress: '/' on 'svc.example.com' must be a Prefix (Exact '/' matches the root only)"],
    ],
    ...['Public', 'public_alb', '-public', `a${'b'.repeat(63)}`].map(
      (name) =>
        [
          `group name '${name.slice(0, 12)}'`,
          { ingress: { ...ingress, group: { name, order: 10 } } },
          [`ingress.group.name '${name}' must be a DNS label of at most 63 characters`],
        ] as const,
    ),
    ...[0, 1001, 2.5, -1].map(
      (order) =>
        [
          `group order ${order}`,
          { ingress: { ...ingress, group: { name: 'public', order } } },
          [`ingress.group.order ${order} must be an integer from 1 to 1000`],
        ] as const,
    ),
  ];

  it.each([
    ['the root as a Prefix', [{ path: '/', pathType: 'Prefix' }]],
    [
      'nested paths and an exact document',
      [
        { path: '/v1/a.b_c~d-e', pathType: 'Prefix' },
        { path: '/openapi.json', pathType: 'Exact' },
      ],
    ],
  ] as const)('accepts an Ingress routing %s', (_what, paths) => {
    expect(
      errorOf(baseProps({ ingress: { ...ingress, paths, group: { name: 'a', order: 1 } } })),
    ).toBeUndefined();
    expect(
      errorOf(baseProps({ ingress: { ...ingress, group: { name: `a${'b'.repeat(62)}`, order: 1000 } } })),
    ).toBeUndefined();
  });

  it('accepts a service without command (the image starts itself)', () => {
    const { command: _dropped, ...withoutCommand } = baseProps();
    expect(errorOf(withoutCommand)).toBeUndefined();
  });

  it.each(cases)('%s', (_what, overrides, problems) => {
    expect(errorOf(baseProps(overrides))).toBe(misconfigured(...problems));
  });

  // A DNS label of 1 to 42 characters: lower case letters, digits and '-', starting with a letter
  // and not ending in '-'.
  it.each([
    ['upper case', 'Svc'],
    ['starting with a digit', '1svc'],
    ['starting with a dash', '-svc'],
    ['ending with a dash', 'svc-'],
    ['with a dot', 'sv.c'],
    ['with an upper-case tail', 'svcX'],
    ['empty', ''],
    ['of 43 characters', 'abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbc'],
  ])('a name %s: %j', (_what, name) => {
    expect(errorOf(baseProps({ name }))).toBe(
      `WebService '${name}' is misconfigured:\n  - name '${name}' must be a short DNS label`,
    );
  });

  it('names the service that is misconfigured', () => {
    expect(errorOf(baseProps({ name: 'payments', replicas: { min: 1, max: 4 } }))).toBe(
      "WebService 'payments' is misconfigured:\n  - replicas.min must be at least 2 (one pod is a single point of failure)",
    );
  });
});

describe('resolveWebServiceProps accepts values at each boundary', () => {
  const accepted: readonly (readonly [string, Partial<WebServiceProps>])[] = [
    ['a one-letter name', { name: 'a' }],
    [
      'a trace collector on ports 1 and 65535',
      { traceCollector: { namespace: 'monitoring', podLabels: { app: 'otel' }, ports: [1, 65535] } },
    ],

    ['a one-character priority class', { priorityClassName: 'a' }],
    ['a 253-character priority class with dots', { priorityClassName: `a.${'b'.repeat(250)}c` }],
    ['a name of 42 characters', { name: 'abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbc' }],
    ['a name of two characters', { name: 'a2' }],
    ['a name with digits and dashes', { name: 'a-1-b2' }],
    ['a name ending in a digit', { name: 'svc2' }],
    ['replicas.min 2 = max', { replicas: { min: 2, max: 2 } }],
    [
      'limits equal to requests',
      {
        resources: { cpuRequestMillis: 200, cpuLimitMillis: 200, memoryRequestMiB: 256, memoryLimitMiB: 256 },
      },
    ],
    ['one-second shutdown pauses', { shutdown: { preStopSeconds: 1, drainSeconds: 1 } }],
    ['custom ports that differ', { httpPort: 9464, metricsPort: 8080 }],
    [
      'CIDRs at the longest octets and prefix',
      { loadBalancerCidrs: ['192.168.100.0/24', '1.2.3.4/32', '0.0.0.0/0'] },
    ],
    [
      'IAM auth with Pod Identity, AWS_REGION and the default sslMode',
      {
        podIdentity: true,
        database: { ...database, auth: 'iam' },
      },
    ],
    [
      "IAM auth with sslMode 'verify-full'",
      {
        podIdentity: true,
        database: { ...database, auth: 'iam', sslMode: 'verify-full' },
      },
    ],
    [
      "password auth with sslMode 'require' and no AWS_REGION",
      {
        environment: {},
        database: { ...database, auth: 'password', sslMode: 'require' },
      },
    ],
    [
      'a migration with its own secret',
      {
        database: { ...database, migration: { command: ['migrate'], secretName: 'svc/owner' } },
      },
    ],
  ];

  it.each(accepted)('%s', (_what, overrides) => {
    expect(errorOf(baseProps(overrides))).toBeUndefined();
  });
});

describe('defaults', () => {
  it('fills in every default', () => {
    const p = resolveWebServiceProps(baseProps());
    expect({
      serviceAccountName: p.serviceAccountName,
      httpPort: p.httpPort,
      metricsPort: p.metricsPort,
      livenessPath: p.livenessPath,
      readinessPath: p.readinessPath,
      runAsUser: p.runAsUser,
      shutdown: p.shutdown,
      autoscaling: p.autoscaling,
      internetHttpsEgress: p.internetHttpsEgress,
      podIdentity: p.podIdentity,
    }).toEqual({
      serviceAccountName: 'svc',
      httpPort: 8080,
      metricsPort: 9464,
      livenessPath: '/livez',
      readinessPath: '/readyz',
      runAsUser: 10001,
      shutdown: { preStopSeconds: 10, drainSeconds: 25 },
      autoscaling: { cpuUtilization: 70, memoryUtilization: 80 },
      internetHttpsEgress: true,
      podIdentity: false,
    });
  });

  it('keeps every value the props set', () => {
    const p = resolveWebServiceProps(
      baseProps({
        serviceAccountName: 'svc-sa',
        httpPort: 3000,
        metricsPort: 3001,
        livenessPath: '/health',
        readinessPath: '/ready',
        runAsUser: 2000,
        shutdown: { preStopSeconds: 3, drainSeconds: 7 },
        autoscaling: { cpuUtilization: 50, memoryUtilization: 60 },
        internetHttpsEgress: false,
        podIdentity: true,
      }),
    );
    expect(p).toMatchObject({
      name: 'svc',
      serviceAccountName: 'svc-sa',
      httpPort: 3000,
      metricsPort: 3001,
      livenessPath: '/health',
      readinessPath: '/ready',
      runAsUser: 2000,
      shutdown: { preStopSeconds: 3, drainSeconds: 7 },
      autoscaling: { cpuUtilization: 50, memoryUtilization: 60 },
      internetHttpsEgress: false,
      podIdentity: true,
    });
  });
});

describe('pod counts and grace period', () => {
  // Rolling-update surge: 25 % of replicas.max, rounded up, at least one.
  it.each([
    [2, 1],
    [4, 1],
    [5, 2],
    [8, 2],
    [9, 3],
    [12, 3],
  ])('replicas.max %i surges by %i pods', (max, surge) => {
    expect(surgePods({ replicas: { min: 2, max } })).toBe(surge);
  });

  it('the most pods at once: HPA max + surge, plus one for the migration Job', () => {
    expect(maxPods(resolveWebServiceProps(baseProps({ replicas: { min: 2, max: 5 } })))).toBe(7);
    expect(
      maxPods(
        resolveWebServiceProps(
          baseProps({
            replicas: { min: 2, max: 5 },
            database: { ...database, migration: { command: ['migrate'], secretName: 'svc/owner' } },
          }),
        ),
      ),
    ).toBe(8);
    expect(maxPods(resolveWebServiceProps(baseProps({ replicas: { min: 2, max: 5 }, database })))).toBe(7);
  });

  it('the grace period is preStop + drain + 5 s', () => {
    expect(terminationGracePeriodSeconds(resolveWebServiceProps(baseProps()))).toBe(40);
    expect(
      terminationGracePeriodSeconds(
        resolveWebServiceProps(baseProps({ shutdown: { preStopSeconds: 3, drainSeconds: 7 } })),
      ),
    ).toBe(15);
  });
});
