import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * The network between two regions, for one replication stream: a TCP relay that holds every byte the
 * primary sends for `delayMs` before passing it on to the standby (the standby's replies pass at
 * once). `cut` is the region going dark: bytes still on the wire are dropped, open connections are
 * reset and new ones refused, so the standby keeps exactly what had arrived.
 */
export interface ReplicationLink {
  readonly port: number;
  readonly delayMs: number;
  /** Bytes passed on to the standby so far. */
  readonly deliveredBytes: number;
  /** Bytes that were still on the wire when the link was cut (0 until then). */
  readonly droppedBytes: number;
  /** Wall clock of the cut (undefined until then). */
  readonly cutAt: number | undefined;
  cut(): void;
  close(): Promise<void>;
}

export async function startReplicationLink(targetPort: number, delayMs: number): Promise<ReplicationLink> {
  const open = new Set<Socket>();
  const pending = new Set<{ timer: NodeJS.Timeout; bytes: number }>();
  let cut = false;
  let cutAt: number | undefined;
  let deliveredBytes = 0;
  let droppedBytes = 0;

  const server = createServer((standby) => {
    if (cut) {
      standby.destroy();
      return;
    }
    const primary = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [standby, primary]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        standby.destroy();
        primary.destroy();
      });
    }
    standby.pipe(primary);
    primary.on('data', (chunk: Buffer) => {
      // Same delay for every chunk and timers of equal duration fire in the order they were set: the
      // stream arrives late but intact and in order.
      const item = {
        bytes: chunk.length,
        timer: setTimeout(() => {
          pending.delete(item);
          if (standby.destroyed) return;
          deliveredBytes += chunk.length;
          standby.write(chunk);
        }, delayMs),
      };
      pending.add(item);
    });
    primary.on('end', () => {
      // The primary closed its side: close ours once everything before it has been delivered.
      setTimeout(() => standby.end(), delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const cutNow = () => {
    if (cut) return;
    cut = true;
    cutAt = Date.now();
    for (const item of pending) {
      clearTimeout(item.timer);
      droppedBytes += item.bytes;
    }
    pending.clear();
    for (const socket of open) socket.destroy();
  };
  return {
    port,
    delayMs,
    get deliveredBytes() {
      return deliveredBytes;
    },
    get droppedBytes() {
      return droppedBytes;
    },
    get cutAt() {
      return cutAt;
    },
    cut: cutNow,
    async close() {
      cutNow();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
