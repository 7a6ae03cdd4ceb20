import cluster from 'node:cluster';

// Several copies of the service sharing one port, for `npm run bench -- --service-processes <n>`: on a
// small machine the question is whether a second event loop (the other core) moves more money than it
// takes from PostgreSQL. node:cluster's primary accepts the connections and hands them to the workers
// in turn; each worker is the real entry point (src/main.ts) with its own pool.

const count = Number(process.env.BENCH_SERVICE_PROCESSES ?? '1');

if (cluster.isPrimary) {
  let stopping = false;
  let exited = 0;
  let worst = 0;
  for (let i = 0; i < count; i++) cluster.fork();
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
  cluster.on('exit', (_worker, code) => {
    exited++;
    worst = Math.max(worst, code ?? 1);
    if (!stopping) {
      process.stderr.write(`bench cluster: a service process exited with ${code} before SIGTERM\n`);
      process.exit(1);
    }
    if (exited === count) process.exit(worst);
  });
} else {
  await import('../src/main.js');
}
