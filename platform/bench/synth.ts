import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { maxBenchEnvironments } from './environments.js';
import { parseSynthBenchOptions, UsageError, usage } from './options.js';
import { type BenchRow, formatReport, RESULT_PREFIX, type SynthResult } from './report.js';

// `npm run bench:synth [-- --counts 2,10,30]`: synthesizes the CDK app for each count of generated
// environments, each in a fresh process (no shared module or token caches), and prints the time per
// environment. A benchmark, not a test: it exits non-zero only when a synth fails.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join('platform', 'bench', 'synth-once.ts');

const log = (message: string) => process.stderr.write(`[bench:synth] ${message}\n`);

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function runChild(count: number, outdir: string, cpuProfileDir: string | undefined): Promise<ChildOutcome> {
  const nodeArgs = ['--import', 'tsx'];
  if (cpuProfileDir) {
    nodeArgs.push(
      '--cpu-prof',
      `--cpu-prof-dir=${cpuProfileDir}`,
      `--cpu-prof-name=synth-${count}.cpuprofile`,
    );
  }
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, CHILD, String(count), outdir], {
    cwd: ROOT,
    // As `cdk synth` runs the app: it also asks for the performance counters file.
    env: { ...process.env, CDK_PERF_COUNTERS_FILE: join(outdir, 'performance-counters.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) =>
      done({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

function parseResult(stdout: string): SynthResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  return line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as SynthResult) : undefined;
}

async function main(argv: string[]): Promise<number> {
  const maxCount = maxBenchEnvironments();
  let options: ReturnType<typeof parseSynthBenchOptions>;
  try {
    options = parseSynthBenchOptions(argv, maxCount);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:synth: ${error.message}\n\n${usage(maxCount)}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(usage(maxCount));
    return 0;
  }
  const cpuProfileDir = options.cpuProfileDir ? resolve(options.cpuProfileDir) : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });

  // Other work on a shared machine moves wall times; note how busy it was.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  log(`counts ${options.counts.join(', ')}; ${cpus().length} cores, load average ${load}`);

  const rows: BenchRow[] = [];
  for (const count of options.counts) {
    const outdir = mkdtempSync(join(tmpdir(), `bank-synth-bench-${count}-`));
    try {
      log(`synthesizing ${count} environment${count === 1 ? '' : 's'}`);
      const outcome = await runChild(count, outdir, cpuProfileDir);
      const result = outcome.code === 0 ? parseResult(outcome.stdout) : undefined;
      if (!result) {
        const how = outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.code}`;
        process.stderr.write(outcome.stderr.split('\n').slice(-40).join('\n'));
        log(`synth of ${count} environments failed (${how} after ${outcome.seconds.toFixed(1)} s)`);
        return 1;
      }
      log(`  ${outcome.seconds.toFixed(1)} s`);
      rows.push({ ...result, totalSeconds: outcome.seconds });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${formatReport(rows)}\n`);
  if (cpuProfileDir) log(`CPU profiles in ${cpuProfileDir}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
