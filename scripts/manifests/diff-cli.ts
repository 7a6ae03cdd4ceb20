import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatMarkdown, formatText, manifestDiff } from './diff.js';

// npm run manifests:diff -- [--base <rev>] [--format text|markdown] [--output <file>] [--repo <dir>]
//
// Renders the manifests at --base (default origin/main) and in the current checkout and prints what
// changed. Exit 0 whether or not anything changed; 2 for bad arguments; 1 when a render fails.

const USAGE =
  'usage: npm run manifests:diff -- [--base <rev>] [--format text|markdown] [--output <file>] [--repo <dir>]';

async function main(argv: string[]): Promise<number> {
  let values: { base: string; format: string; output?: string; repo: string; help: boolean };
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        base: { type: 'string', default: 'origin/main' },
        format: { type: 'string', default: 'text' },
        output: { type: 'string' },
        repo: { type: 'string', default: process.cwd() },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values;
    if (!['text', 'markdown'].includes(values.format)) {
      throw new Error(`--format must be text or markdown, got '${values.format}'`);
    }
  } catch (error) {
    console.error(`manifests:diff: ${error instanceof Error ? error.message : String(error)}`);
    console.error(USAGE);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const result = await manifestDiff({ repo: values.repo, base: values.base });
    const text = values.format === 'markdown' ? formatMarkdown(result) : formatText(result);
    if (values.output) writeFileSync(values.output, text);
    else process.stdout.write(text);
    return 0;
  } catch (error) {
    console.error(`manifests:diff failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
