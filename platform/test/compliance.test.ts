import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { addCompliancePacks, unacknowledgedFindings } from '../lib/compliance.js';

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
});
