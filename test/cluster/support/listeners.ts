import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** A listening TCP socket of a process: which program, which local address. */
export interface Listener {
  readonly program: string;
  readonly pid: number;
  readonly address: string;
  readonly port: number;
}

// /proc/net/tcp{,6} list sockets with hex addresses; "0A" is TCP_LISTEN. Reading /proc avoids
// depending on ss/netstat being installed on a fresh CI machine.
function listeningSockets(): Map<string, { address: string; port: number }> {
  const sockets = new Map<string, { address: string; port: number }>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, , state] = [fields[1], fields[2], fields[3]];
      const inode = fields[9];
      if (!local || state !== '0A' || !inode) continue;
      const [hexAddress = '', hexPort = ''] = local.split(':');
      sockets.set(inode, { address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16) });
    }
  }
  return sockets;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    // IPv4 in host (little-endian) byte order.
    return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  }
  // IPv6: four little-endian 32-bit words.
  const words = [0, 1, 2, 3].map(
    (w) =>
      hex
        .slice(w * 8, w * 8 + 8)
        .match(/../g)
        ?.reverse()
        .join('') ?? '',
  );
  const groups = words.join('').match(/.{4}/g) ?? [];
  const text = groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
  return text === '0:0:0:0:0:0:0:1' ? '::1' : text === '0:0:0:0:0:0:0:0' ? '::' : text;
}

/** Every listening socket held by a process whose executable lives in `binDir`. */
export function listenersOfBinaries(binDir: string): Listener[] {
  const sockets = listeningSockets();
  const realBinDir = realpathSync(binDir);
  const listeners: Listener[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let exe: string;
    try {
      exe = realpathSync(`/proc/${entry}/exe`);
    } catch {
      continue;
    }
    if (dirname(exe) !== realBinDir) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode ? sockets.get(inode) : undefined;
      if (socket) listeners.push({ program: basename(exe), pid: Number(entry), ...socket });
    }
  }
  return listeners;
}

export const isLoopback = (address: string): boolean => address.startsWith('127.') || address === '::1';
