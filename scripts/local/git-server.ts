import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';

// The local platform's Git server: Git's own smart-HTTP implementation (`git http-backend`, a CGI
// program) behind a Node HTTPS listener on loopback. Argo CD reads the manifests branch from it over
// https://, the scheme the environment config requires of gitops.repoUrl, with the server's
// certificate trusted through argocd-tls-certs-cm as it would be for a private Git host. Read-only:
// Git refuses pushes over HTTP without an authenticated user; publishing writes to the bare
// repository directly (a file remote).

export interface GitServerOptions {
  /** Folder holding the bare repositories that are served (GIT_PROJECT_ROOT). */
  readonly projectRoot: string;
  readonly host: string;
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
}

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

function handle(options: GitServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', `https://${options.host}`);
  const cgi = spawn(HTTP_BACKEND, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      // Clients send compressed request bodies (Content-Encoding: gzip); http-backend inflates them.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headerDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headerDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headerDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  let stderr = '';
  cgi.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  cgi.on('close', (code) => {
    if (!headerDone) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git http-backend exited with ${code}: ${stderr}`);
      return;
    }
    res.end();
    if (code !== 0) console.error(`git http-backend ${req.method} ${req.url}: exit ${code} ${stderr.trim()}`);
  });
}

export function startGitServer(options: GitServerOptions): Promise<ReturnType<typeof createServer>> {
  const server = createServer(
    { cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) },
    (req, res) => handle(options, req, res),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
