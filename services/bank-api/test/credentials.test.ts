import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { connectionTarget, IamAuthToken, PasswordFile } from '../src/db/credentials.js';
import { isDatabaseUnavailable } from '../src/db/errors.js';
import { openDatabase } from '../src/db/open-database.js';
import { PgDatabase } from '../src/db/pg-database.js';

// Test credentials in AWS's documented example format; nothing is ever sent anywhere.
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * The signature SigV4 gives the presigned `GET https://host:port/?Action=connect&DBUser=...` of
 * service rds-db: computed here from the specification, independently of the SDK.
 */
function expectedSignature(token: string, secret: string): string {
  const url = new URL(`https://${token}`);
  const host = url.host;
  const params = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}`, '', 'host', sha256('')].join('\n');
  const date = url.searchParams.get('X-Amz-Date') as string;
  const [, day, region, service] = (url.searchParams.get('X-Amz-Credential') as string).split('/');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secret}`, day as string);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part as string);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('IAM database authentication tokens (offline)', () => {
  const connect = vi.fn(() => {
    throw new Error('network access during token signing');
  });
  let restore: () => void;
  beforeAll(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_ACCESS_KEY);
    vi.stubEnv('AWS_SESSION_TOKEN', SESSION_TOKEN);
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    // Signing is local: any attempt to open a socket fails the test.
    const original = net.Socket.prototype.connect;
    net.Socket.prototype.connect = connect as unknown as typeof original;
    restore = () => {
      net.Socket.prototype.connect = original;
    };
  });
  afterAll(() => {
    restore();
    vi.unstubAllEnvs();
  });

  it('signs host:port/?Action=connect&DBUser=bank_api for the region with the environment credentials', async () => {
    const source = new IamAuthToken({
      host: 'bank.cluster-abc.eu-central-1.rds.amazonaws.com',
      port: 5432,
      user: 'bank_api',
      region: 'eu-central-1',
    });
    const token = await source.password();
    expect(token).toMatch(
      /^bank\.cluster-abc\.eu-central-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=bank_api&X-Amz-/,
    );
    const url = new URL(`https://${token}`);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'connect',
      DBUser: 'bank_api',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${ACCESS_KEY_ID}/${today}/eu-central-1/rds-db/aws4_request`,
      'X-Amz-Date': expect.stringMatching(new RegExp(`^${today}T\\d{6}Z$`)),
      'X-Amz-Expires': '900',
      'X-Amz-Security-Token': SESSION_TOKEN,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(token, SECRET_ACCESS_KEY));
    expect(connect).not.toHaveBeenCalled();
  });

  it('takes host, port and user from DATABASE_URL (the port defaults to 5432)', async () => {
    expect(connectionTarget('postgres://bank_api@db.internal:6543/bank')).toEqual({
      host: 'db.internal',
      port: 6543,
      user: 'bank_api',
      database: 'bank',
    });
    const config = loadConfig({
      DATABASE_URL: 'postgres://bank_api@bank.cluster-abc.eu-west-1.rds.amazonaws.com/bank',
      DATABASE_AUTH: 'iam',
      AWS_REGION: 'eu-west-1',
      DATABASE_SSL_MODE: 'verify-full',
    });
    expect(config.database).toMatchObject({ credentials: { source: 'iam', region: 'eu-west-1' } });
    const { host, port, user } = connectionTarget(
      config.database.kind === 'postgres' ? config.database.url : '',
    );
    const token = await new IamAuthToken({ host, port, user, region: 'eu-west-1' }).password();
    expect(token).toMatch(
      /^bank\.cluster-abc\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=bank_api&/,
    );
    expect(token).toContain('%2Feu-west-1%2Frds-db%2Faws4_request');
  });

  it('turns missing credentials into a 503-class connection error, not a crash', async () => {
    const source = new IamAuthToken({
      host: 'h',
      port: 5432,
      user: 'bank_api',
      region: 'eu-central-1',
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });
    const error = await source.password().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '08001', message: /could not sign an IAM database token/ });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});

/**
 * A server that speaks just enough of the PostgreSQL protocol to ask for a cleartext password,
 * record it and refuse it with 28P01: what the pool really sends, connection by connection.
 */
async function passwordRecorder(): Promise<{ port: number; passwords: string[]; close(): Promise<void> }> {
  const passwords: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!started && buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0)) {
        buffer = buffer.subarray(buffer.readInt32BE(0));
        started = true;
        const ask = Buffer.alloc(9);
        ask.write('R', 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        socket.write(ask);
      }
      if (started && buffer.length >= 5 && buffer[0] === 'p'.charCodeAt(0)) {
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        passwords.push(buffer.subarray(5, 1 + length - 1).toString('utf8'));
        const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed\0\0');
        const error = Buffer.alloc(5);
        error.write('E', 0);
        error.writeInt32BE(4 + fields.length, 1);
        socket.end(Buffer.concat([error, fields]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    passwords,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the pool asks the password source for every new connection', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('sends a fresh IAM token as the password of each connection and retries a refused one a bounded number of times', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_ACCESS_KEY);
    const recorder = await passwordRecorder();
    const retries: number[] = [];
    const db = new PgDatabase({
      url: `postgres://bank_api@127.0.0.1:${recorder.port}/bank`,
      sslMode: 'disable', // the fake server speaks no TLS; the config requires verify-full for IAM
      poolMax: 2,
      connectTimeoutMs: 2_000,
      statementTimeoutMs: 2_000,
      idleTimeoutMs: 10_000,
      passwordSource: new IamAuthToken({
        host: '127.0.0.1',
        port: recorder.port,
        user: 'bank_api',
        region: 'eu-central-1',
      }),
      onAuthRetry: (_error, attempt) => retries.push(attempt),
    });
    try {
      const error = await db.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '28P01' });
      expect(isDatabaseUnavailable(error)).toBe(true); // a 503 to callers, not a 500
      expect(retries).toEqual([1, 2, 3, 4]);
      expect(recorder.passwords).toHaveLength(5);
      for (const password of recorder.passwords) {
        expect(password).toMatch(
          new RegExp(
            `^127\\.0\\.0\\.1:${recorder.port}/\\?Action=connect&DBUser=bank_api&X-Amz-Algorithm=AWS4-HMAC-SHA256&`,
          ),
        );
      }
    } finally {
      await db.close();
      await recorder.close();
    }
  });

  it('without a source, the URL password is used and a refusal is not retried', async () => {
    const recorder = await passwordRecorder();
    const db = new PgDatabase({
      url: `postgres://bank_api:from-the-url@127.0.0.1:${recorder.port}/bank`,
      sslMode: 'disable',
      poolMax: 2,
      connectTimeoutMs: 2_000,
      statementTimeoutMs: 2_000,
      idleTimeoutMs: 10_000,
    });
    try {
      await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' });
      expect(recorder.passwords).toEqual(['from-the-url']);
    } finally {
      await db.close();
      await recorder.close();
    }
  });
});

describe('DATABASE_PASSWORD_FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bank-password-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Replaces the file atomically, as the kubelet does (a new file swapped in). */
  const put = async (path: string, content: string) => {
    await writeFile(`${path}.tmp`, content);
    await rename(`${path}.tmp`, path);
  };

  it('reads the file for every new connection, without its final line break', async () => {
    const path = join(dir, 'pw1');
    await put(path, 'first\n');
    const file = new PasswordFile(path);
    expect(await file.password()).toBe('first');
    await put(path, 'second');
    expect(await file.password()).toBe('second');
  });

  it('file first, ALTER ROLE second: the refused new password falls back to the last accepted one until that is refused', async () => {
    const path = join(dir, 'pw2');
    const fallbacks: number[] = [];
    const file = new PasswordFile(path, { onFallback: () => fallbacks.push(1) });
    await put(path, 'old');
    file.accepted(await file.password());

    await put(path, 'new'); // the Secret is updated; the server still wants 'old'
    expect(await file.password()).toBe('new');
    file.refused('new');
    file.refused('new'); // several connections at once: said once
    expect(fallbacks).toHaveLength(1);
    expect(await file.password()).toBe('old');
    file.accepted('old');
    expect(await file.password()).toBe('old');

    // ALTER ROLE ... PASSWORD 'new': the old password is refused, the file's is used again.
    file.refused('old');
    expect(await file.password()).toBe('new');
    file.accepted('new');
    expect(await file.password()).toBe('new');
  });

  it('ALTER ROLE first, file second: retries read the file again and get the new password once it is there', async () => {
    const path = join(dir, 'pw3');
    const file = new PasswordFile(path);
    await put(path, 'old');
    file.accepted(await file.password());
    file.refused('old'); // ALTER ROLE happened, the file is not updated yet: nothing else to try
    expect(await file.password()).toBe('old');
    await put(path, 'new');
    expect(await file.password()).toBe('new');
  });

  it('an empty file (caught mid-write) uses the last accepted password, or fails as a connection error', async () => {
    const path = join(dir, 'pw4');
    await put(path, '');
    const file = new PasswordFile(path);
    await expect(file.password()).rejects.toMatchObject({ code: '08001', message: /is empty/ });
    await put(path, 'good');
    file.accepted(await file.password());
    await put(path, '');
    expect(await file.password()).toBe('good');
  });

  it('an unreadable file stops the start with a ConfigError naming the variable', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://bank_api@127.0.0.1:1/bank',
      DATABASE_PASSWORD_FILE: join(dir, 'missing'),
    });
    const error = await openDatabase(config.database).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^DATABASE_PASSWORD_FILE: cannot read .*missing \(ENOENT/),
    ]);
    await put(join(dir, 'empty'), '\n');
    const empty = loadConfig({
      DATABASE_URL: 'postgres://bank_api@127.0.0.1:1/bank',
      DATABASE_PASSWORD_FILE: join(dir, 'empty'),
    });
    await expect(openDatabase(empty.database)).rejects.toThrow(/DATABASE_PASSWORD_FILE: .* is empty/);
  });
});
