import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadOrganisation } from '../../platform/config/index.js';
import { ofKind, renderAll, rowsOf } from './rendered.js';

// The rendered PrometheusRules checked by Prometheus's own promtool: syntax and semantics
// (`check rules`), then unit tests that feed synthetic series and assert which alerts fire.
// Debian's `prometheus` package ships promtool; CI must have it, a laptop without it skips.

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const available = promtool.status === 0;
// REQUIRE_TOOLS=1 (.ci/run) or CI (GitHub Actions) turns a missing promtool into a failure.
if (!available && (process.env.REQUIRE_TOOLS === '1' || process.env.CI))
  throw new Error('promtool is required here (apt-get install prometheus)');

const { objects } = renderAll();
const rules = ofKind(objects, 'PrometheusRule');
const dir = mkdtempSync(join(tmpdir(), 'promtool-'));

function run(args: string[]) {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe.skipIf(!available)('promtool', () => {
  it.each(rowsOf(rules, 'PrometheusRules').map((r) => [r.env.name, r] as const))(
    '%s rules pass `promtool check rules`',
    (envName, rule) => {
      const file = `${envName}-rules.yaml`;
      writeFileSync(join(dir, file), stringify({ groups: rule.object.spec.groups }));
      const result = run(['check', 'rules', file]);
      expect(result.status, result.output).toBe(0);
    },
  );

  it('alerts fire on synthetic failures and stay quiet on healthy traffic', () => {
    const prod = rules.find((r) => r.env.name === 'prod');
    expect(prod).toBeDefined();
    writeFileSync(join(dir, 'unit-rules.yaml'), stringify({ groups: prod?.object.spec.groups }));
    // What on-call reads, written out by hand: promtool expands the templates with Prometheus's own
    // engine and compares, so neither the text nor the expansion comes from the code under test.
    const runbook = (name: string) =>
      `https://github.com/${loadOrganisation().githubRepository}/blob/main/docs/runbooks/${name}.md`;
    const api = (status: string, extra = '') =>
      `http_request_duration_seconds_count{job="bank-api",namespace="bank",pod="bank-api-1",route="/v1/transfers",status_code="${status}"${extra}}`;
    const bucket = (le: string) =>
      `http_request_duration_seconds_bucket{job="bank-api",namespace="bank",pod="bank-api-1",route="/v1/transfers",status_code="201",le="${le}"}`;

    const tests = {
      rule_files: ['unit-rules.yaml'],
      evaluation_interval: '30s',
      tests: [
        {
          // 10 % of requests fail for 80 minutes; latency is fine.
          interval: '30s',
          input_series: [
            { series: api('201'), values: '0+90x160' },
            { series: api('500'), values: '0+10x160' },
            { series: bucket('0.25'), values: '0+90x160' },
            { series: bucket('+Inf'), values: '0+90x160' },
            { series: 'up{job="bank-api",namespace="bank",pod="bank-api-1"}', values: '1x160' },
          ],
          alert_rule_test: [
            {
              eval_time: '70m',
              alertname: 'BankApiAvailabilityBudgetBurnFast',
              exp_alerts: [
                {
                  exp_labels: { severity: 'critical', service: 'bank-api' },
                  exp_annotations: {
                    summary: 'bank-api availability error budget burning 14.4x too fast',
                    description:
                      'Over 1h (confirmed over 5m) 5xx responses are spending the 99.9% availability budget at 14.4x the sustainable rate.',
                    runbook_url: runbook('bank-api-availability-budget-burn-fast'),
                  },
                },
              ],
            },
            { eval_time: '70m', alertname: 'BankApiLatencyBudgetBurnFast', exp_alerts: [] },
            { eval_time: '70m', alertname: 'BankApiMetricsDown', exp_alerts: [] },
          ],
        },
        {
          // Healthy and fast: no SLO alert.
          interval: '30s',
          input_series: [
            { series: api('201'), values: '0+100x160' },
            { series: bucket('0.25'), values: '0+100x160' },
          ],
          alert_rule_test: [
            { eval_time: '70m', alertname: 'BankApiAvailabilityBudgetBurnFast', exp_alerts: [] },
            { eval_time: '70m', alertname: 'BankApiLatencyBudgetBurnFast', exp_alerts: [] },
            { eval_time: '70m', alertname: 'BankApiHighErrorRate', exp_alerts: [] },
          ],
        },
        {
          // A pod loses the database; another scrape target is gone entirely.
          interval: '30s',
          input_series: [
            { series: 'bank_db_up{job="bank-api",namespace="bank",pod="bank-api-2"}', values: '1x4 0x10' },
          ],
          alert_rule_test: [
            {
              eval_time: '5m',
              alertname: 'BankApiDatabaseUnreachable',
              exp_alerts: [
                {
                  exp_labels: {
                    severity: 'critical',
                    service: 'bank-api',
                    job: 'bank-api',
                    namespace: 'bank',
                    pod: 'bank-api-2',
                  },
                  exp_annotations: {
                    summary: 'bank-api cannot reach PostgreSQL from bank-api-2',
                    description:
                      'Pod bank-api-2 has reported the database as down for 2 minutes; it is not ready and takes no traffic.',
                    runbook_url: runbook('bank-api-database-unreachable'),
                  },
                },
              ],
            },
            {
              eval_time: '6m',
              alertname: 'BankApiMetricsDown',
              // absent() over a comparison carries no labels of the missing series.
              exp_alerts: [
                {
                  exp_labels: { severity: 'critical', service: 'bank-api' },
                  exp_annotations: {
                    summary: 'Prometheus scrapes no healthy bank-api target',
                    description:
                      'No bank-api metrics endpoint has been up for 5 minutes: the service is down or unobservable, and the other alerts are blind.',
                    runbook_url: runbook('bank-api-metrics-down'),
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'unit-tests.yaml'), stringify(tests));
    const result = run(['test', 'rules', 'unit-tests.yaml']);
    expect(result.status, result.output).toBe(0);
  });
});
