import { existsSync } from 'node:fs';
import { KUBECONFIG_PATH } from './paths.js';
import { kubectl } from './run.js';

// Fails the whole run early, with the fix named, when no local cluster is up.
export default async function setup(): Promise<void> {
  if (!existsSync(KUBECONFIG_PATH)) {
    throw new Error(
      `no local cluster (${KUBECONFIG_PATH} is missing): run 'npm run cluster:build && npm run cluster:up'`,
    );
  }
  const health = await kubectl(['get', '--raw', '/readyz'], { allowFailure: true, timeoutMs: 30_000 });
  if (health.code !== 0 || health.stdout.trim() !== 'ok') {
    throw new Error(
      `the local cluster is not ready (${health.stderr.trim() || health.stdout.trim()}): run 'npm run cluster:up'`,
    );
  }
}
