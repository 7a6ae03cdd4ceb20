import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/postgres.js';

// What a person at a terminal meets when they start the service or its migration command wrongly:
// the real entry points in a child process, as `npm start` and `npm run db:migrate` run them.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const MIGRATE = fileURLToPath(new URL('../src/migrate.ts', import.meta.url));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  const { DATABASE_URL: _url, PGLITE_DATA_DIR: _dir, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { env: { ...inherited, NODE_ENV: 'development', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm start and npm run db:migrate on the command line', () => {
  it.each([
    ['bank-api', MAIN, 'npm start'],
    ['bank-api migrate', MIGRATE, 'npm run db:migrate'],
  ])('%s refuses an argument with a usage line and exit 2', async (name, script, command) => {
    const outcome = await run(script, ['--port', '9000']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`${name}: unexpected argument '--port'`);
    expect(outcome.stderr).toContain(`usage: ${command}`);
    expect(outcome.stderr).toContain('environment variables');
  });

  it('prints the usage for --help and exits 0', async () => {
    const outcome = await run(MAIN, ['--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('usage: npm start');
  });

  it('names the variable to change when the port is taken, without a stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const outcome = await run(MAIN, [], { PORT: String(port), METRICS_PORT: String(await freePort()) });
      expect(outcome.code).toBe(78);
      expect(outcome.stderr).toContain(
        `PORT: port ${port} on 127.0.0.1 is already in use by another process`,
      );
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  });

  it('refuses to migrate a throwaway in-memory database', async () => {
    const outcome = await run(MIGRATE, []);
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain('DATABASE_URL: not set, and neither is PGLITE_DATA_DIR');
    expect(outcome.stdout).not.toContain('migrations applied');
  });

  it('migrates an embedded database folder, then finds it up to date', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bank-migrate-'));
    try {
      const env = { PGLITE_DATA_DIR: join(dir, 'db'), LOG_FORMAT: 'json' };
      const first = await run(MIGRATE, [], env);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout.trim().split('\n').at(-1) as string)).toMatchObject({
        msg: 'migrations applied',
      });
      const second = await run(MIGRATE, [], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('schema already up to date');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('log format', () => {
  // `script` (util-linux) gives the child a pseudo-terminal, as a developer's shell does.
  async function startOnTerminal(env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const metricsPort = await freePort();
    const command = [process.execPath, '--import', 'tsx', MAIN].map((a) => `'${a}'`).join(' ');
    return new Promise((resolve) => {
      const child = execFile(
        'script',
        ['--quiet', '--return', '--command', command, '/dev/null'],
        {
          env: {
            ...process.env,
            NODE_ENV: 'development',
            PORT: String(port),
            METRICS_PORT: String(metricsPort),
            ...env,
          },
          timeout: 60_000,
        },
        (_error, stdout) => resolve(stdout),
      );
      const stop = setInterval(async () => {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) {
          clearInterval(stop);
          child.kill('SIGTERM');
        }
      }, 200);
    });
  }

  // Started with stdout into a pipe, stopped with SIGTERM once ready (the graceful shutdown flushes).
  async function startInPipe(env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
    });
    const exited = once(child, 'exit');
    while (
      child.exitCode === null &&
      !(await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      await sleep(200);
    }
    child.kill('SIGTERM');
    await exited;
    return stdout;
  }

  it('is readable lines on a terminal', async () => {
    const output = await startOnTerminal({});
    expect(output).toMatch(/INFO.*bank-api listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(output).not.toContain('{"level":"info"');
  });

  it('is JSON when stdout is not a terminal (pods, pipes)', async () => {
    const stdout = await startInPipe({});
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ service: 'bank-api' });
    expect(stdout).toContain('"msg":"bank-api listening on http://127.0.0.1:');
  });

  it('is readable lines without colors in a pipe with LOG_FORMAT=pretty', async () => {
    const stdout = await startInPipe({ LOG_FORMAT: 'pretty' });
    expect(stdout).toMatch(/INFO.*bank-api listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).not.toContain('{"level"');
  });
});
