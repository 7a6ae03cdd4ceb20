import { type App, Validations } from 'aws-cdk-lib';
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
