import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { publishManifests } from '../manifests/publish.js';
import {
  CHECKOUT_DIR,
  GIT_REPOSITORY,
  HOST,
  LOCAL_REMOTE,
  LOCAL_REPO_URL,
  PORTS,
  REPO_ROOT,
  TLS_DIR,
} from './layout.js';
import { sh } from './shell.js';

// The Git side of the local platform: the bare repository Argo CD reads (over https, from
// git-server.ts), the hook that tells Argo CD about pushes, and the first publish into it.

export interface GitServerTls {
  readonly cert: string;
  readonly key: string;
}

/** A self-signed certificate for 127.0.0.1, valid 30 days; Argo CD trusts it through argocd-tls-certs-cm. */
export function gitServerCertificate(): GitServerTls {
  mkdirSync(TLS_DIR, { recursive: true });
  const cert = join(TLS_DIR, 'git-server.crt');
  const key = join(TLS_DIR, 'git-server.key');
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=bank-platform local Git server',
    '-addext',
    `subjectAltName=IP:${HOST}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** A stand-in digest for HEAD: no registry runs locally and the simulated nodes pull nothing. */
export function defaultImage(env: EnvironmentConfig): string {
  const head = sh('git', ['rev-parse', 'HEAD']);
  const digest = createHash('sha256').update(`bank-api ${head}`).digest('hex');
  return `${env.bankApi.imageRepository}@sha256:${digest}`;
}

/**
 * Creates the bare repository with its post-receive hook (GitHub's push webhook to Argo CD, signed
 * with `webhookSecret`), adds it as the remote `local` of the caller's repository, and publishes
 * `env` with `image` from a clone of HEAD. Returns the commit on the manifests branch.
 */
export function prepareGitRepository(env: EnvironmentConfig, image: string, webhookSecret: string): string {
  rmSync(GIT_REPOSITORY, { recursive: true, force: true });
  rmSync(CHECKOUT_DIR, { recursive: true, force: true });
  sh('git', ['init', '--quiet', '--bare', GIT_REPOSITORY]);
  copyFileSync(
    join(REPO_ROOT, 'scripts/local/git-hooks/post-receive'),
    join(GIT_REPOSITORY, 'hooks/post-receive'),
  );
  writeFileSync(
    join(GIT_REPOSITORY, 'webhook.env'),
    [
      `ARGOCD_WEBHOOK_URL=http://${HOST}:${PORTS.argocdServer}/api/webhook`,
      `WEBHOOK_SECRET=${webhookSecret}`,
      `REPOSITORY_HTML_URL=${LOCAL_REPO_URL.replace(/\.git$/, '')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  sh('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, CHECKOUT_DIR]);
  sh('git', ['remote', 'set-url', 'origin', GIT_REPOSITORY], { cwd: CHECKOUT_DIR });
  // The documented `manifests:publish -- --push --remote local` reaches the local Git server.
  const remotes = sh('git', ['remote']).split('\n');
  sh('git', ['remote', remotes.includes(LOCAL_REMOTE) ? 'set-url' : 'add', LOCAL_REMOTE, GIT_REPOSITORY]);
  const result = publishManifests({ repo: CHECKOUT_DIR, env, image, push: true, remote: 'origin' });
  return result.commit ?? '(unchanged)';
}
