import { type RunningServer, startServer } from '../../bank-api/src/server.js';
import { ensureBuilt } from '../build/build.js';
import { ConfigError } from '../server/config.js';
import { type RunningWebServer, startWebServer } from '../server/server.js';
import { startFrontDoor } from './front-door.js';

// `npm start`: bank-api (on its embedded PGlite unless DATABASE_URL says otherwise) and bank-web, each
// on a private port, behind one front door on PORT. Both read the same environment as in production,
// except where they listen.

export interface LocalBank {
  /** The one address: the app at `/`, the API at `/v1`. */
  url: string;
  api: RunningServer;
  web: RunningWebServer;
  close(): Promise<void>;
}

export interface LocalBankOptions {
  env?: Record<string, string | undefined>;
  /** A built app to serve instead of building services/bank-web/dist/public when stale. */
  staticDir?: string;
  /** Told when the app has to be (re)built first. */
  onBuild?: () => void;
}

function frontPort(env: Record<string, string | undefined>): number {
  const value = env.PORT || '8080';
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new ConfigError([`PORT: must be a port number from 0 to 65535 (got '${value}')`]);
  }
  return Number(value);
}

export async function startLocalBank(options: LocalBankOptions = {}): Promise<LocalBank> {
  const env = options.env ?? process.env;
  const port = frontPort(env);
  const host = env.HOST || '127.0.0.1';
  let staticDir = options.staticDir;
  if (!staticDir) {
    const build = await ensureBuilt();
    if (build.built) options.onBuild?.();
    staticDir = build.dir;
  }
  const internal = { HOST: '127.0.0.1', PORT: '0' };
  const api = await startServer({ env: { ...env, ...internal } });
  let web: RunningWebServer | undefined;
  try {
    // The API keeps METRICS_PORT (9464 by default); the web server's metrics go to a free port.
    web = await startWebServer({ env: { ...env, ...internal, METRICS_PORT: '0' }, staticDir });
    const front = await startFrontDoor({ port, host, api: api.url, web: web.url }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        throw new ConfigError([`PORT: port ${port} on ${host} is not available; set PORT to a free port`]);
      }
      throw error;
    });
    const running = web;
    let closing: Promise<void> | undefined;
    return {
      url: front.url,
      api,
      web: running,
      close: () => {
        closing ??= (async () => {
          const stopped = new Promise<void>((resolve) => front.server.close(() => resolve()));
          front.server.closeAllConnections();
          await stopped;
          await Promise.all([running.close(), api.close()]);
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.all([web?.close(), api.close()]);
    throw error;
  }
}
