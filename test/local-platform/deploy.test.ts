import { afterAll, describe, expect, it } from 'vitest';
import { readState } from '../../scripts/local/state.js';
import {
  application,
  bankApplication,
  deploymentImages,
  digestImage,
  git,
  platformEnv,
  publish,
  userClone,
  waitFor,
} from './support/platform.js';

// Merge = deploy, as a user does it: in a clone of this repository, `manifests:publish --push` a new
// image digest to the manifests branch; Argo CD (told by the push webhook) syncs it and the
// Deployment's image changes. Publishing the previous digest rolls back the same way.

const env = platformEnv();
const clone = userClone();
afterAll(() => clone.remove());

const DEPLOY_TIMEOUT_MS = 300_000;

async function deployed(image: string): Promise<number> {
  const { seconds } = await waitFor(
    `${image} in the Deployment, ${bankApplication(env)} Synced and Healthy`,
    () => {
      const app = application(bankApplication(env));
      return (
        deploymentImages('bank', 'bank-api').every((i) => i === image) &&
        app?.sync === 'Synced' &&
        app.health === 'Healthy'
      );
    },
    DEPLOY_TIMEOUT_MS,
    () => JSON.stringify(application(bankApplication(env)), null, 2),
  );
  return seconds;
}

describe(`merge = deploy in ${env.name}`, () => {
  const previous = readState()?.image as string;
  const next = digestImage(env, `release ${Date.now()}`);

  const commits = () => Number(git(['rev-list', '--count', 'local/manifests'], clone.dir));
  let startCount = 0;

  it('publishing a new digest deploys it', async () => {
    expect(deploymentImages('bank', 'bank-api')).toEqual([previous]);
    git(['fetch', '--quiet', 'local', 'manifests'], clone.dir);
    startCount = commits();
    const before = git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir);
    const t0 = Date.now();
    const result = publish(clone.dir, env, next);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('pushed');
    expect(git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir)).not.toBe(before);
    await deployed(next);
    console.log(`deploy: publish -> new image running in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });

  it('publishing the same digest again changes nothing', () => {
    const before = git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir);
    const result = publish(clone.dir, env, next);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('nothing to commit');
    expect(git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir)).toBe(before);
  });

  it('publishing the previous digest rolls back', async () => {
    const t0 = Date.now();
    const result = publish(clone.dir, env, previous);
    expect(result.code, result.stderr).toBe(0);
    await deployed(previous);
    console.log(`rollback: publish -> previous image running in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    // Two publishes that changed something, two commits on top: history is never rewritten.
    expect(commits()).toBe(startCount + 2);
  });
});
