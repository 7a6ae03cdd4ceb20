import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, type NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/** The rule packs every synth runs; a finding that is neither fixed nor acknowledged fails synth. */
export const compliancePacks = (): NagPack[] => [
  new AwsSolutionsChecks(),
  new PCIDSS321Checks(),
  new NIST80053R5Checks(),
];

export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(...compliancePacks());
}

/** One rule one construct broke that no acknowledgement covers. */
export interface ComplianceFinding {
  readonly pack: string;
  readonly rule: string;
  readonly construct: string;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/**
 * The unacknowledged findings of a synthesized assembly, from the validation report aws-cdk-lib
 * writes after running the packs. Synth only sets `process.exitCode` when a pack fails, so callers
 * that go on after `app.synth()` must ask this before they report success. A missing report means
 * the packs never ran, which is a failure too.
 */
export function unacknowledgedFindings(assemblyDirectory: string): ComplianceFinding[] {
  const path = join(assemblyDirectory, VALIDATION_REPORT_FILE);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: the compliance packs did not run (addCompliancePacks)`);
  }
  const report = JSON.parse(readFileSync(path, 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((c) => ({
        pack: plugin.pluginName,
        rule: violation.ruleName,
        construct: c.constructPath,
      })),
    ),
  );
}

/** What a synth reports about its compliance findings, and whether it failed. */
export interface ComplianceVerdict {
  readonly failed: boolean;
  readonly message: string;
}

/**
 * The one line a synth prints about the packs: a failure names every rule that fired and where to
 * acknowledge one; success says nothing was left and how many acknowledgements carried it.
 */
export function complianceVerdict(
  findings: readonly ComplianceFinding[],
  packs: readonly string[],
  acknowledged: number,
): ComplianceVerdict {
  const prefix = `cdk-nag: ${packs.join(', ')}`;
  if (findings.length > 0) {
    const rules = [...new Set(findings.map((f) => f.rule))].sort();
    return {
      failed: true,
      message:
        `${prefix}: ${findings.length} unacknowledged findings (${rules.join(', ')}); ` +
        'fix them or acknowledge them with a reason in platform/lib/acknowledgements.ts',
    };
  }
  return {
    failed: false,
    message: `${prefix}: 0 unacknowledged findings, ${acknowledged} acknowledged with reasons`,
  };
}
