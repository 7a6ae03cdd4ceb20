import { readFile } from 'node:fs/promises';
import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';

/**
 * Where the password of each new database connection comes from when it is not in DATABASE_URL.
 * The pool asks once per new connection (never per query), and reports what the server said.
 */
export interface PasswordSource {
  password(): Promise<string>;
  /** The server accepted this password for a new connection. */
  accepted?(password: string): void;
  /** The server refused this password (28P01) for a new connection. */
  refused?(password: string): void;
}

/**
 * A failure to produce credentials (unreadable file, no AWS credentials). SQLSTATE 08001
 * (sqlclient_unable_to_establish_sqlconnection) makes it a database outage: 503, retried.
 */
export class CredentialsError extends Error {
  readonly code = '08001';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}

export interface PasswordFileEvents {
  /** The file's password was refused and the previous one, which the server still accepts, is used. */
  onFallback?: () => void;
}

/**
 * DATABASE_PASSWORD_FILE: the password is read from the file for every new connection, so a
 * rotated password (Kubernetes rewrites a mounted Secret's file in place) is used without a restart.
 *
 * PostgreSQL keeps one password per role, and the file and the role cannot change at the same
 * instant, so a rotation always has a window in which the two disagree. Connections already open
 * stay valid; only new ones are at stake. The order without failures is: new password into the file
 * first, ALTER ROLE second. In between, the server still wants the old password: a new connection
 * tries the file's password, gets 28P01, and this source then hands out the last password the server
 * accepted until that one is refused in turn (after ALTER ROLE), when the file's is used again. No
 * request sees the window, however long Kubernetes takes to update the file in every pod. The other
 * order (ALTER ROLE first) leaves a window in which only the file's next version works: the pool
 * re-reads the file and retries a refused connection a few times (PgDatabase), which covers a short
 * gap, not minutes.
 */
export class PasswordFile implements PasswordSource {
  private confirmed: string | undefined;
  private rejected: string | undefined;

  constructor(
    readonly path: string,
    private readonly events: PasswordFileEvents = {},
  ) {}

  /** The file's content without the final line break (Secrets are often written with one). */
  async read(): Promise<string> {
    let content: string;
    try {
      content = await readFile(this.path, 'utf8');
    } catch (error) {
      throw new CredentialsError(
        `DATABASE_PASSWORD_FILE ${this.path} could not be read: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return content.replace(/\r?\n$/, '');
  }

  async password(): Promise<string> {
    const current = await this.read();
    const fallback = this.confirmed !== undefined && this.confirmed !== current ? this.confirmed : undefined;
    if (current === '') {
      // Caught mid-write by something that does not replace the file atomically.
      if (fallback !== undefined) return fallback;
      throw new CredentialsError(`DATABASE_PASSWORD_FILE ${this.path} is empty`);
    }
    if (current === this.rejected && fallback !== undefined) return fallback;
    return current;
  }

  accepted(password: string): void {
    this.confirmed = password;
    if (password === this.rejected) this.rejected = undefined;
  }

  refused(password: string): void {
    if (password === this.confirmed) {
      this.confirmed = undefined;
    } else if (this.confirmed !== undefined && password !== this.rejected) {
      // The file's new password is refused while an older one still works: the rotation is half
      // done (file first, ALTER ROLE next). Said once per new password, not per connection.
      this.events.onFallback?.();
    }
    this.rejected = password;
  }
}

export interface IamTokenOptions {
  host: string;
  port: number;
  user: string;
  region: string;
  /** Default: the SDK's provider chain (EKS Pod Identity or IRSA web identity, env, ...). */
  credentials?: SignerConfig['credentials'];
}

/**
 * DATABASE_AUTH=iam: the password of each new connection is an RDS IAM authentication token, a
 * SigV4-presigned `rds-db:connect` request for host:port and the user, valid 15 minutes. Signing is
 * local (no network call); only resolving the credentials may call AWS, and the SDK caches them
 * until they near expiry. The token only has to be valid when the connection authenticates:
 * connections outlive it.
 */
export class IamAuthToken implements PasswordSource {
  private readonly signer: Signer;

  constructor(options: IamTokenOptions) {
    this.signer = new Signer({
      hostname: options.host,
      port: options.port,
      username: options.user,
      region: options.region,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async password(): Promise<string> {
    try {
      return await this.signer.getAuthToken();
    } catch (error) {
      throw new CredentialsError(`could not sign an IAM database token: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/** Host, port, user and database of a postgres:// URL, as node-postgres wants them. */
export function connectionTarget(url: string): {
  host: string;
  port: number;
  user: string;
  database: string;
} {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname.replace(/^\[(.+)\]$/, '$1')),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}
