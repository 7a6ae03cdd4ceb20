import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PLATFORM_CONTEXT } from '../lib/platform-app.js';

// cdk.json sets every feature flag aws-cdk-lib recommends for new projects, so `cdk` commands stop
// warning about unconfigured flags and the templates are what a new CDK project would get. The two
// deviations are deliberate; docs/platform/README.md ("CDK feature flags") gives the reasons.
const DEVIATIONS: Record<string, unknown> = {
  // Exports stay; weak references would let a producer stack drop a value a consumer still uses.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // Templates stay partition-neutral (${AWS::Partition}); cdk-nag acknowledgements name ARNs that way.
  '@aws-cdk/core:enablePartitionLiterals': false,
};

const require = createRequire(import.meta.url);
const recommended = require('aws-cdk-lib/recommended-feature-flags.json') as Record<string, unknown>;
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

describe('CDK feature flags', () => {
  it("sets every flag of the installed aws-cdk-lib's recommended set", () => {
    const missing = Object.keys(recommended).filter((flag) => !(flag in cdkJson.context));
    expect(missing).toEqual([]);
  });

  it('uses the recommended value except for the documented deviations', () => {
    const differing = Object.fromEntries(
      Object.entries(recommended)
        .filter(([flag, value]) => JSON.stringify(cdkJson.context[flag]) !== JSON.stringify(value))
        .map(([flag]) => [flag, cdkJson.context[flag]]),
    );
    expect(differing).toEqual(DEVIATIONS);
  });

  it('gives tests and the CDK CLI the same context: the app reads cdk.json', () => {
    expect(PLATFORM_CONTEXT).toEqual(cdkJson.context);
  });
});
