import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EnvironmentConfigError, loadEnvironment, withGitopsRepoUrl } from '../../platform/config/index.js';
import { GitError } from './git.js';
import { PublishStateError, publishManifests } from './publish.js';
import { PublishInputError } from './render-tree.js';

// npm run manifests:publish -- --env <env> --image <repository>@sha256:<digest>
//   [--web-image <repository>@sha256:<digest>] [--push] [--message <text>]
//   [--branch <name>] [--base <branch>] [--remote <name>] [--repo <dir>] [--allow-dirty] [--repo-url <url>]
//
// Exit 0: published, or nothing to publish (the rendered tree is unchanged). Exit 2: bad arguments.
// Exit 1: any other failure; the branch is then exactly as it was.

const USAGE = `usage: npm run manifests:publish -- --env <env> --image <repository>@sha256:<digest>
       [--web-image <repository>@sha256:<digest>] [--push] [--message <text>] [--branch <name>] [--base <branch>] [--remote <name>] [--repo <dir>] [--allow-dirty]
       [--repo-url <https url>]

  --env          environment to publish (its folders in the branch are replaced)
  --image        bank-api image pinned by digest, from the environment's repository
  --web-image    bank-web image pinned by digest, from the environment's web repository (default: the
                 image the branch already deploys, so publishing the API alone leaves the app as it is)
  --push         fetch the branch, build on the remote tip and push the commit
  --branch       branch to commit to (default: the environment's gitops.branch)
  --base         where --branch starts when it does not exist yet (e.g. manifests, for a pull request)
  --remote       remote for --push (default: origin)
  --repo         Git repository to publish into (default: the current directory)
  --message      commit message (default names the image and the source commit)
  --allow-dirty  publish although charts/ or platform/ have uncommitted changes
  --repo-url     the Git URL Argo CD reads the branch from, when it is not the environment's
                 gitops.repoUrl (the local platform's, printed by npm run local:up)`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      image: { type: 'string' },
      'web-image': { type: 'string' },
      push: { type: 'boolean', default: false },
      message: { type: 'string' },
      branch: { type: 'string' },
      base: { type: 'string' },
      remote: { type: 'string', default: 'origin' },
      repo: { type: 'string', default: process.cwd() },
      'allow-dirty': { type: 'boolean', default: false },
      'repo-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.env) throw new UsageError('--env is required');
  if (!values.image) throw new UsageError('--image is required');
  if (values.message !== undefined && values.message.trim() === '')
    throw new UsageError('--message is empty');
  return { ...values, env: values.env, image: values.image };
}

function main(argv: string[]): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`manifests:publish: ${error instanceof Error ? error.message : String(error)}`);
    console.error(USAGE);
    return 2;
  }
  if (args === undefined) {
    console.log(USAGE);
    return 0;
  }
  try {
    const configured = loadEnvironment(args.env);
    const env = args['repo-url'] === undefined ? configured : withGitopsRepoUrl(configured, args['repo-url']);
    const result = publishManifests({
      repo: args.repo,
      env,
      image: args.image,
      ...(args['web-image'] !== undefined ? { webImage: args['web-image'] } : {}),
      push: args.push,
      remote: args.remote,
      allowDirty: args['allow-dirty'],
      ...(args.branch !== undefined ? { branch: args.branch } : {}),
      ...(args.base !== undefined ? { base: args.base } : {}),
      ...(args.message !== undefined ? { message: args.message } : {}),
    });
    if (result.changed) {
      console.log(
        `${env.name}: committed ${result.commit} on '${result.branch}'${result.pushed ? ' and pushed it' : ''}`,
      );
      console.log(`image ${result.image}, web image ${result.webImage}, source ${result.source}`);
      console.log(result.files.join('\n'));
      console.log(result.stat);
    } else {
      console.log(
        `${env.name}: '${result.branch}' already has this render (image ${result.image}, web image ${result.webImage}); nothing to commit`,
      );
    }
    // In GitHub Actions, later steps read whether a commit was made (e.g. to open a pull request).
    if (process.env.GITHUB_OUTPUT) {
      appendFileSync(
        process.env.GITHUB_OUTPUT,
        `changed=${result.changed}\ncommit=${result.commit ?? ''}\nbranch=${result.branch}\n`,
      );
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`manifests:publish failed: ${message}`);
    const usage = error instanceof PublishInputError || error instanceof EnvironmentConfigError;
    if (usage) console.error(USAGE);
    if (
      !(usage || error instanceof PublishStateError || error instanceof GitError) &&
      error instanceof Error
    ) {
      console.error(error.stack);
    }
    return usage ? 2 : 1;
  }
}

process.exitCode = main(process.argv.slice(2));
