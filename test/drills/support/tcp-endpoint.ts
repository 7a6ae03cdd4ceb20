import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder standing in for a database cluster endpoint: clients connect to one stable port, and
 * `repoint` sends new connections to another server, as Aurora's DNS flip does after a failover.
 */
export interface TcpEndpoint {
  readonly port: number;
  readonly target: number;
  /** New connections go to `port`; existing ones are cut, as when the old writer's node goes away. */
  repoint(port: number): void;
  close(): Promise<void>;
}

export async function startTcpEndpoint(targetPort: number): Promise<TcpEndpoint> {
  let target = targetPort;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // A reset on one side ends the pair; the error itself is the client's to see as a closed socket.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get target() {
      return target;
    },
    repoint(next) {
      target = next;
      for (const socket of open) socket.destroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
