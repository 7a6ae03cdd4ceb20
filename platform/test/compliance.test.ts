import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { addCompliancePacks, complianceVerdict, unacknowledgedFindings } from '../lib/compliance.js';

// The compliance gate on a small app of its own: the packs run in synth, and what they leave
// unacknowledged is read back from aws-cdk-lib's validation report (the real report, not a copy).

function synthesize(build: (stack: Stack) => void): string {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'compliance-')) });
  addCompliancePacks(app);
  build(new Stack(app, 'Probe', { env: { account: '111111111111', region: 'eu-central-1' } }));
  const previous = process.exitCode;
  const directory = app.synth().directory;
  // Synth marks the process failed when a pack fails; the test process must not inherit that.
  process.exitCode = previous;
  return directory;
}

describe('the compliance gate', () => {
  it('reports every pack on a plain bucket, naming rule and construct', () => {
    const findings = unacknowledgedFindings(synthesize((stack) => new s3.Bucket(stack, 'Plain')));
    const rules = findings.map((f) => f.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'AwsSolutions-S1',
        'PCI.DSS.321-S3BucketLoggingEnabled',
        'NIST.800.53.R5-S3BucketLoggingEnabled',
      ]),
    );
    expect(new Set(findings.map((f) => f.pack))).toEqual(
      new Set(['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5']),
    );
    for (const finding of findings) expect(finding.construct).toBe('Probe/Plain/Resource');
  });

  it('finds nothing when nothing breaks a rule, and says so from a report that exists', () => {
    expect(unacknowledgedFindings(synthesize(() => undefined))).toEqual([]);
  });

  it('fails when the packs did not run (no report)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'compliance-')) });
    new s3.Bucket(new Stack(app, 'Unchecked'), 'Plain');
    const directory = app.synth().directory;
    expect(() => unacknowledgedFindings(directory)).toThrow(/compliance packs did not run/);
  });

  it('fails the synth on a finding, naming every rule once and never claiming zero', () => {
    const findings = unacknowledgedFindings(synthesize((stack) => new s3.Bucket(stack, 'Plain')));
    const verdict = complianceVerdict(findings, ['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5'], 7);
    expect(verdict.failed).toBe(true);
    expect(verdict.message).toMatch(
      new RegExp(
        `^cdk-nag: AwsSolutions, PCI\\.DSS\\.321, NIST\\.800\\.53\\.R5: ${findings.length} unacknowledged findings \\(`,
      ),
    );
    const named = /\(([^)]*)\)/.exec(verdict.message)?.[1]?.split(', ') ?? [];
    expect(named).toEqual([...new Set(findings.map((f) => f.rule))].sort());
    expect(named).toEqual(
      expect.arrayContaining([
        'AwsSolutions-S1',
        'PCI.DSS.321-S3BucketLoggingEnabled',
        'NIST.800.53.R5-S3BucketLoggingEnabled',
      ]),
    );
    expect(verdict.message).toContain('platform/lib/acknowledgements.ts');
    expect(verdict.message).not.toContain(' 0 unacknowledged');
  });

  it('passes with nothing left, saying how many acknowledgements it took', () => {
    expect(complianceVerdict([], ['AwsSolutions'], 7)).toEqual({
      failed: false,
      message: 'cdk-nag: AwsSolutions: 0 unacknowledged findings, 7 acknowledged with reasons',
    });
  });
});
