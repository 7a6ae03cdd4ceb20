import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

// X-Ray sampling rules: which requests bank-api records (head sampling). bank-api reads them through
// the collector's awsproxy extension with the X-Ray remote sampler
// (services/bank-api/src/observability/tracing.ts), matching on its service name, the request's method
// and path. A rule cannot see the outcome of a request: errors and slow requests are kept by the
// collector's tail sampling (argocd/opentelemetry-collector/), which is why the catch-all records
// everything by default. Lower rules win; X-Ray's own `Default` rule (priority 10000) is left alone.

export interface SamplingRuleSpec {
  /** Suffix of the rule name (the name is `<rulePrefix>-<name>`, at most 32 characters). */
  readonly name: string;
  /** 1 (first) to 9999. */
  readonly priority: number;
  /** Share of requests recorded beyond the reservoir, 0 to 1. */
  readonly fixedRate: number;
  /** Requests per second recorded before the fixed rate applies (per rule, across all hosts). */
  readonly reservoirSize: number;
  /** @default '*' */
  readonly httpMethod?: string;
  /** Path pattern (`*` and `?` wildcards). @default '*' */
  readonly urlPath?: string;
}

/** bank-api's rules. */
export const BANK_API_SAMPLING_RULES: readonly SamplingRuleSpec[] = [
  // Probes: kubelet and the ALB call them every few seconds; never a trace.
  { name: 'livez', priority: 100, fixedRate: 0, reservoirSize: 0, httpMethod: 'GET', urlPath: '/livez' },
  { name: 'readyz', priority: 101, fixedRate: 0, reservoirSize: 0, httpMethod: 'GET', urlPath: '/readyz' },
  // Money movement: every request, whatever the catch-all is turned down to.
  {
    name: 'transfers',
    priority: 200,
    fixedRate: 1,
    reservoirSize: 50,
    httpMethod: 'POST',
    urlPath: '/v1/transfers',
  },
  {
    name: 'deposits',
    priority: 201,
    fixedRate: 1,
    reservoirSize: 50,
    httpMethod: 'POST',
    urlPath: '/v1/accounts/*/deposits',
  },
  // Everything else reaches the collector, which keeps errors, slow requests and a share of the rest.
  // In a traffic surge, lower this rule's rate in the console: it takes effect within a minute,
  // without a deployment (errors of the requests it drops are then lost).
  { name: 'default', priority: 9000, fixedRate: 1, reservoirSize: 10 },
];

export interface TraceSamplingRulesProps {
  /** service.name of the spans the rules apply to (bank-api's OTEL_SERVICE_NAME). */
  readonly serviceName: string;
  /** Prefix of every rule name, e.g. `bank-prod-api`. */
  readonly rulePrefix: string;
  /** @default BANK_API_SAMPLING_RULES */
  readonly rules?: readonly SamplingRuleSpec[];
}

const MAX_RULE_NAME = 32;
const RULE_NAME = /^[A-Za-z0-9_-]+$/;

/** One `AWS::XRay::SamplingRule` per spec, for one service. */
export class TraceSamplingRules extends Construct {
  readonly rules: ReadonlyMap<string, xray.CfnSamplingRule>;

  constructor(scope: Construct, id: string, props: TraceSamplingRulesProps) {
    super(scope, id);
    const specs = props.rules ?? BANK_API_SAMPLING_RULES;
    const problems: string[] = [];
    if (props.serviceName.length === 0) problems.push('serviceName must not be empty');
    if (specs.length === 0) problems.push('rules must not be empty');
    const priorities = new Set<number>();
    const names = new Set<string>();
    for (const r of specs) {
      const name = `${props.rulePrefix}-${r.name}`;
      if (!RULE_NAME.test(name) || name.length > MAX_RULE_NAME) {
        problems.push(`rule '${name}': names are 1-${MAX_RULE_NAME} letters, digits, '-' or '_'`);
      }
      if (names.has(name)) problems.push(`rule '${name}' is defined twice`);
      names.add(name);
      if (!Number.isInteger(r.priority) || r.priority < 1 || r.priority > 9999) {
        problems.push(`rule '${name}': priority must be an integer from 1 to 9999 (got ${r.priority})`);
      }
      if (priorities.has(r.priority)) problems.push(`rule '${name}': priority ${r.priority} is taken`);
      priorities.add(r.priority);
      if (!(r.fixedRate >= 0 && r.fixedRate <= 1)) {
        problems.push(`rule '${name}': fixedRate must be from 0 to 1 (got ${r.fixedRate})`);
      }
      if (!Number.isInteger(r.reservoirSize) || r.reservoirSize < 0) {
        problems.push(`rule '${name}': reservoirSize must be a whole number of requests per second`);
      }
    }
    if (problems.length > 0) {
      throw new Error(`TraceSamplingRules:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const rules = new Map<string, xray.CfnSamplingRule>();
    for (const r of specs) {
      const ruleName = `${props.rulePrefix}-${r.name}`;
      rules.set(
        r.name,
        new xray.CfnSamplingRule(this, r.name, {
          samplingRule: {
            ruleName,
            priority: r.priority,
            fixedRate: r.fixedRate,
            reservoirSize: r.reservoirSize,
            serviceName: props.serviceName,
            serviceType: '*',
            host: '*',
            httpMethod: r.httpMethod ?? '*',
            urlPath: r.urlPath ?? '*',
            resourceArn: '*',
            version: 1,
          },
        }),
      );
    }
    this.rules = rules;
  }
}
