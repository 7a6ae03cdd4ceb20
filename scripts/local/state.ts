import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { STATE_FILE } from './layout.js';
import type { OpenWindow } from './open-windows.js';
import { isAlive, type StartedProcess } from './processes.js';

// What `local:up` started, written as it goes so `local:down` can stop a half-finished start too.

export interface LocalState {
  env: string;
  startedAt: string;
  processes: StartedProcess[];
  urls: Record<string, string>;
  adminPassword?: string;
  image?: string;
  /** Deny sync windows that were open when the platform came up (the workloads wait for them). */
  openWindows?: OpenWindow[];
  readyInSeconds?: number;
}

export function readState(): LocalState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LocalState;
}

export function writeState(state: LocalState): void {
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

/** The processes of a recorded start that still run. */
export const runningProcesses = (state: LocalState): StartedProcess[] =>
  state.processes.filter((p) => isAlive(p.pid));
