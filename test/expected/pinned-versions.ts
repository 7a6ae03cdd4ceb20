import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

// Reads test/expected/pinned-versions.yaml, the hand-written list the version tests compare with.

const versions = z.record(z.string(), z.string().min(1));
const schema = z.strictObject({
  clusterHelmCharts: versions,
  clusterAutoscaler: versions,
  eksAddOns: z.record(z.string(), versions),
  argoCdHelmCharts: versions,
});

export type PinnedVersions = z.infer<typeof schema>;

export const PINNED_VERSIONS: PinnedVersions = schema.parse(
  parse(readFileSync(new URL('./pinned-versions.yaml', import.meta.url), 'utf8')),
);
