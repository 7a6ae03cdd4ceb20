import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accountIdOf } from './dataset.js';
import type { HttpPhaseResult } from './http-load.js';

const execFile = promisify(execFileCb);

// wrk is a C load generator, like pgbench on the ceiling side: on two shared cores a JavaScript
// load generator would take CPU from the service it measures. The Lua script below builds the same
// requests as the autocannon driver (random source and destination, the source owner's token, a
// fresh Idempotency-Key each) and reports the exact counts and latency percentiles as JSON.

const SCRIPT = `
local tokens = dofile(os.getenv("BENCH_TOKENS"))
local accounts = #tokens
local label = os.getenv("BENCH_LABEL")
local threads = {}
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
  created = 0
  failed = 0
  math.randomseed(os.time() + thread_id * 7919)
end

local prefix = os.getenv("BENCH_ACCOUNT_PREFIX")
local function account_id(n)
  return prefix .. string.format("%012d", n)
end

function request()
  counter = counter + 1
  local from = math.random(1, accounts)
  local to = ((from + math.random(0, accounts - 2)) % accounts) + 1
  local body = '{"fromAccountId":"' .. account_id(from) .. '","toAccountId":"' .. account_id(to) .. '","amount":1}'
  return wrk.format("POST", "/v1/transfers", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[from],
    ["Idempotency-Key"] = label .. "-" .. thread_id .. "-" .. counter,
  }, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local created_total, failed_total = 0, 0
  for _, thread in ipairs(threads) do
    created_total = created_total + thread:get("created")
    failed_total = failed_total + thread:get("failed")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"created":%d,"failed":%d,"socketErrors":%d,"durationUs":%d,' ..
    '"p50":%d,"p95":%d,"p99":%d,"max":%d}\\n',
    summary.requests, created_total, failed_total, e.connect + e.read + e.write + e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
`;

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Same contract as runHttpPhase, driven by wrk (must be on PATH: Debian's `wrk` package). */
export async function runWrkPhase(options: {
  url: string;
  tokens: string[];
  concurrency: number;
  durationSeconds: number;
  label: string;
}): Promise<HttpPhaseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(dir, 'transfers.lua');
    const tokens = join(dir, 'tokens.lua');
    await writeFile(script, SCRIPT);
    // A Lua chunk returning the token list; account n's owner has token n (1-based, as in Lua).
    await writeFile(tokens, `return {\n${options.tokens.map((t) => `"${t}"`).join(',\n')}\n}\n`);
    // Two threads: one per core would starve the service; one cannot drive 64 connections.
    const threads = Math.min(2, options.concurrency);
    const { stdout } = await execFile(
      'wrk',
      [
        '--threads',
        String(threads),
        '--connections',
        String(options.concurrency),
        '--duration',
        `${options.durationSeconds}s`,
        '--timeout',
        '10s',
        '--script',
        script,
        options.url,
      ],
      {
        env: {
          ...process.env,
          BENCH_TOKENS: tokens,
          BENCH_LABEL: options.label,
          // The data set's account ids are this prefix plus the 12-digit account number.
          BENCH_ACCOUNT_PREFIX: accountIdOf(0).slice(0, -12),
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new Error(
          'wrk is not installed: run `npm run tools:install`, or pass --load-generator autocannon',
        );
      }
      throw error;
    });
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
    const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, number>;
    const seconds = (r.durationUs ?? 0) / 1e6;
    const ms = (us: number | undefined) => round((us ?? 0) / 1000);
    return {
      concurrency: options.concurrency,
      tps: round((r.created ?? 0) / seconds, 1),
      requests: r.requests ?? 0,
      completed: r.created ?? 0,
      errors: (r.failed ?? 0) + (r.socketErrors ?? 0),
      p50Ms: ms(r.p50),
      p95Ms: ms(r.p95),
      p99Ms: ms(r.p99),
      maxMs: ms(r.max),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
