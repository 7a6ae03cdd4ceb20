import { execFile as execFileCb } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

/** A throwaway PostgreSQL server, started from Debian's binaries for tests, drills and benchmarks. */
export interface PostgresServer {
  /** Superuser connection URL over TCP on loopback. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly binDir: string;
  /** Runs a server binary (pg_ctl, pgbench, ...) as the server's OS user. */
  run(
    binary: string,
    args: string[],
    options?: { timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string }>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** A fixed port; a free one is picked when absent. */
  port?: number;
  /** Parent folder for the data directory (default: the OS temp dir). */
  parentDir?: string;
}

const SUPERUSER = 'bank_admin';

/** Where the PostgreSQL server binaries live, or undefined when they are not installed. */
export function findPostgresBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debianRoot, v, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

/**
 * Whether a suite that starts its own PostgreSQL server can run. Without the binaries it is skipped,
 * unless REQUIRE_POSTGRES=1 (CI), where a missing server fails the suite instead of hiding it.
 */
export function postgresServerAvailable(): boolean {
  if (findPostgresBinDir()) return true;
  if (process.env.REQUIRE_POSTGRES === '1') {
    throw new Error(
      'REQUIRE_POSTGRES=1 but no PostgreSQL server binaries were found (set PG_BIN_DIR or install postgresql)',
    );
  }
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The OS user the servers run as when this process is root (PostgreSQL refuses root); else undefined. */
export async function postgresUserIds(): Promise<{ uid: number; gid: number } | undefined> {
  // PostgreSQL refuses to run as root, so as root we hand the files to the `postgres` user.
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await execFile('id', ['-u', 'postgres']);
  const { stdout: gid } = await execFile('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBinDir();
  if (!binDir)
    throw new Error(
      'PostgreSQL server binaries not found (install the postgresql package or set PG_BIN_DIR)',
    );
  const owner = await postgresUserIds();
  const root = await mkdtemp(join(options.parentDir ?? tmpdir(), 'bank-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  await mkdir(socketDir);
  const password = randomBytes(18).toString('base64url');
  const pwFile = join(root, 'pwfile');
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    for (const path of [root, socketDir, pwFile]) await chown(path, owner.uid, owner.gid);
  }
  await chmod(root, 0o700);

  const run = async (binary: string, args: string[], runOptions: { timeoutMs?: number } = {}) => {
    const exe = join(binDir, binary);
    const [cmd, cmdArgs] = owner ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
    return execFile(cmd, cmdArgs, {
      timeout: runOptions.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, PGPASSWORD: password, LC_ALL: 'C' },
    });
  };

  await run('initdb', [
    '-D',
    dataDir,
    '-U',
    SUPERUSER,
    '--auth=scram-sha-256',
    `--pwfile=${pwFile}`,
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ]);
  await rm(pwFile);

  const port = options.port ?? (await freePort());
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: socketDir,
    max_connections: 200,
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const logFile = join(root, 'server.log');

  const start = async () => {
    await run('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', serverOptions]);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await run('pg_ctl', ['stop', '-D', dataDir, '-w', '-t', '60', '-m', mode]).catch((error: unknown) => {
      // Already stopped is fine; anything else is not.
      if (!String((error as { stderr?: string }).stderr ?? error).includes('Is server running?')) throw error;
    });
  };
  await start();

  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    binDir,
    run,
    start,
    stop,
    async destroy() {
      await stop('immediate');
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Creates an empty database on the server behind `adminUrl` and returns its URL and a drop function. */
export async function createScratchDatabase(
  adminUrl: string,
  prefix = 'bank_test',
): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
