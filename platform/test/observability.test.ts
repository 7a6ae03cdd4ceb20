import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { OperatorLogQueries } from '../lib/observability/log-queries.js';
import { TraceSamplingRules } from '../lib/observability/sampling-rules.js';

// The observability constructs on their own (a full platform synth takes minutes; prod.test.ts checks
// they are wired into the cluster stack).

const stackWithQueries = () => {
  const stack = new Stack(new App(), 'Queries');
  const containers = new logs.LogGroup(stack, 'Containers', { logGroupName: '/bank/test/eks/containers' });
  const postgresql = new logs.LogGroup(stack, 'Postgresql', {
    logGroupName: '/aws/rds/cluster/bank-test-aurora/postgresql',
  });
  new OperatorLogQueries(stack, 'Ops', {
    queryNamePrefix: 'bank-test-ops',
    containerLogGroup: containers,
    postgresqlLogGroup: postgresql,
  });
  return { stack, containers, postgresql };
};

const ref = (stack: Stack, group: logs.LogGroup) => ({
  Ref: stack.getLogicalId(group.node.defaultChild as logs.CfnLogGroup),
});

describe('OperatorLogQueries', () => {
  it('saves each operator question with the log groups it reads', () => {
    const { stack, containers, postgresql } = stackWithQueries();
    const defs = Object.values(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition'));
    const byName = Object.fromEntries(defs.map((d) => [d.Properties.Name, d.Properties.LogGroupNames]));
    const c = [ref(stack, containers)];
    expect(byName).toEqual({
      'bank-test-ops/bank-api/errors-by-route': c,
      'bank-test-ops/bank-api/slowest-requests': c,
      'bank-test-ops/bank-api/request-by-id': c,
      'bank-test-ops/bank-api/failed-transfers-by-reason': c,
      'bank-test-ops/bank-api/rejected-logins': c,
      'bank-test-ops/aurora/slow-statements': [ref(stack, postgresql)],
      'bank-test-ops/argocd/sync-failures': c,
    });
  });

  it('reads Aurora slow statements from the duration lines log_min_duration_statement writes', () => {
    const { stack } = stackWithQueries();
    const defs = Object.values(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition'));
    const slow = defs.find((d) => d.Properties.Name === 'bank-test-ops/aurora/slow-statements');
    const query = String(slow?.Properties.QueryString);
    const pattern = /parse @message \/(.*)\/\n/.exec(query)?.[1] ?? '';
    // A line as Aurora PostgreSQL writes it (log_line_prefix %t:%r:%u@%d:[%p]:).
    const line =
      '2026-12-02 10:15:01 UTC:10.20.40.5(51234):bank_api@bank:[4242]:LOG:  duration: 1532.118 ms  statement: UPDATE accounts SET balance = balance - $1 WHERE id = $2';
    const match = new RegExp(pattern).exec(line);
    expect(match?.groups).toEqual({
      durationMs: '1532.118',
      statement: 'UPDATE accounts SET balance = balance - $1 WHERE id = $2',
    });
    expect(
      new RegExp(pattern).exec('2026-12-02 10:15:01 UTC::@:[1]:LOG:  checkpoint starting: time'),
    ).toBeNull();
  });

  it('refuses a prefix CloudWatch would not show as a folder, and duplicate or empty queries', () => {
    const make = (props: Partial<ConstructorParameters<typeof OperatorLogQueries>[2]>) => {
      const stack = new Stack(new App(), 'Bad');
      const group = new logs.LogGroup(stack, 'G');
      return () =>
        new OperatorLogQueries(stack, 'Ops', {
          queryNamePrefix: 'ok',
          containerLogGroup: group,
          postgresqlLogGroup: group,
          ...props,
        });
    };
    expect(make({ queryNamePrefix: '/bank' })).toThrow(/queryNamePrefix/);
    expect(make({ queryNamePrefix: '' })).toThrow(/queryNamePrefix/);
    expect(make({ queries: [] })).toThrow(/must not be empty/);
    const q = { name: 'a', logGroups: ['containers'] as const, query: { fields: ['@timestamp'] } };
    expect(make({ queries: [q, q] })).toThrow(/defined twice/);
    expect(make({ queries: [{ ...q, logGroups: [] }] })).toThrow(/reads no log group/);
  });
});

describe('TraceSamplingRules', () => {
  const synth = () => {
    const stack = new Stack(new App(), 'Rules');
    new TraceSamplingRules(stack, 'Rules', { serviceName: 'bank-api', rulePrefix: 'bank-prod-api' });
    return Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule')).map(
      (r) => r.Properties.SamplingRule,
    );
  };

  it('never samples the probes, always samples money movement, and has a catch-all for the service', () => {
    const rules = synth();
    const rule = (path: string, method = '*') =>
      rules.find((r) => r.URLPath === path && r.HTTPMethod === method);
    for (const probe of ['/livez', '/readyz']) {
      expect(rule(probe, 'GET'), probe).toMatchObject({ FixedRate: 0, ReservoirSize: 0 });
    }
    expect(rule('/v1/transfers', 'POST')).toMatchObject({ FixedRate: 1 });
    expect(rule('/v1/accounts/*/deposits', 'POST')).toMatchObject({ FixedRate: 1 });
    const catchAll = rule('*');
    expect(catchAll).toMatchObject({ RuleName: 'bank-prod-api-default', ServiceName: 'bank-api' });
    // The catch-all is matched last; the probes before anything else.
    const priorities = rules.map((r) => r.Priority as number);
    expect(catchAll?.Priority).toBe(Math.max(...priorities));
    expect(rule('/livez', 'GET')?.Priority).toBe(Math.min(...priorities));
    for (const r of rules) {
      expect(r).toMatchObject({ ServiceName: 'bank-api', Host: '*', ResourceARN: '*', Version: 1 });
      expect(String(r.RuleName).length).toBeLessThanOrEqual(32);
    }
  });

  it('refuses rules X-Ray would reject, naming each problem', () => {
    const make =
      (rules: ConstructorParameters<typeof TraceSamplingRules>[2]['rules'], prefix = 'p') =>
      () =>
        new TraceSamplingRules(new Stack(new App(), 'Bad'), 'R', {
          serviceName: 'svc',
          rulePrefix: prefix,
          rules,
        });
    const ok = { name: 'a', priority: 1, fixedRate: 0.5, reservoirSize: 1 };
    expect(make([ok])).not.toThrow();
    expect(make([])).toThrow(/rules must not be empty/);
    expect(make([{ ...ok, fixedRate: 1.5 }])).toThrow(/fixedRate must be from 0 to 1/);
    expect(make([{ ...ok, fixedRate: -0.1 }])).toThrow(/fixedRate/);
    expect(make([{ ...ok, priority: 0 }])).toThrow(/priority must be an integer from 1 to 9999/);
    expect(make([{ ...ok, priority: 10000 }])).toThrow(/priority/);
    expect(make([ok, { ...ok, name: 'b' }])).toThrow(/priority 1 is taken/);
    expect(make([ok, { ...ok, priority: 2 }])).toThrow(/defined twice/);
    expect(make([{ ...ok, reservoirSize: 0.5 }])).toThrow(/reservoirSize/);
    expect(make([ok], 'x'.repeat(31))).toThrow(/names are 1-32/);
  });
});
