// Starts or stops a throwaway PostgreSQL server from the shell (used by .ci/run and the drills).
//   tsx test/support/postgres-cli.ts start <state-file>   prints the superuser URL
//   tsx test/support/postgres-cli.ts stop <state-file>

import { execFile as execFileCb } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBinDir, startPostgres } from './postgres.js';

const execFile = promisify(execFileCb);

async function main(argv: string[]): Promise<number> {
  const [command, stateFile] = argv;
  if (!stateFile || (command !== 'start' && command !== 'stop')) {
    console.error('usage: postgres-cli.ts start|stop <state-file>');
    return 2;
  }
  if (command === 'start') {
    const server = await startPostgres({
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    await writeFile(
      stateFile,
      JSON.stringify({ url: server.url, dataDir: server.dataDir, binDir: server.binDir }),
    );
    console.log(server.url);
    return 0;
  }
  const state = JSON.parse(await readFile(stateFile, 'utf8')) as { dataDir: string; binDir: string };
  const binDir = state.binDir ?? findPostgresBinDir();
  const pgCtl = `${binDir}/pg_ctl`;
  const asRoot = process.getuid?.() === 0;
  const [cmd, args] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', pgCtl, 'stop', '-D', state.dataDir, '-m', 'fast', '-w']]
    : [pgCtl, ['stop', '-D', state.dataDir, '-m', 'fast', '-w']];
  await execFile(cmd, args).catch((e: unknown) => console.error(String(e)));
  await rm(dirname(state.dataDir), { recursive: true, force: true });
  await rm(stateFile, { force: true });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
