import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { clusterEnv } from './paths.js';

/**
 * Follows a kubectl watch and keeps a running count over the watched objects, recording the lowest
 * value seen. A watch sees every change in order, so a dip that polling could miss is still counted.
 */
export class ReadyCountWatcher {
  private readonly counts = new Map<string, number>();
  private readonly child: ChildProcessWithoutNullStreams;
  private synced = false;
  private minimumSeen = Number.POSITIVE_INFINITY;
  private readonly history: string[] = [];
  private stderr = '';

  private constructor(
    args: readonly string[],
    private readonly countOf: (fields: string[]) => number,
  ) {
    this.child = spawn('kubectl', [...args, '--watch', '--output-watch-events'], { env: clusterEnv() });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    const lines = createInterface({ input: this.child.stdout });
    // Fields are joined with "|": kubectl's jsonpath output pads "\t" into spaces, and no field here
    // (names, timestamps, True/False) can contain a "|".
    lines.on('line', (line) => {
      const [type, name, ...fields] = line.split('|');
      if (!type || !name) return;
      if (type === 'DELETED') this.counts.delete(name);
      else this.counts.set(name, this.countOf(fields));
      this.history.push(`${type} ${name} -> ${this.current}`);
      if (this.synced) this.minimumSeen = Math.min(this.minimumSeen, this.current);
    });
  }

  /** Pods matching a selector that are Ready and not terminating (what a PDB counts as healthy). */
  static readyPods(namespace: string, selector: string): ReadyCountWatcher {
    const template =
      '{.type}{"|"}{.object.metadata.name}{"|"}{.object.metadata.deletionTimestamp}{"|"}' +
      '{.object.status.conditions[?(@.type=="Ready")].status}{"\\n"}';
    return new ReadyCountWatcher(
      ['get', 'pods', '-n', namespace, '-l', selector, '-o', `jsonpath=${template}`],
      ([deletion, ready]) => (deletion === '' && ready === 'True' ? 1 : 0),
    );
  }

  /** Ready endpoints of a Service, summed over its EndpointSlices (what clients can be routed to). */
  static readyEndpoints(namespace: string, service: string): ReadyCountWatcher {
    const template = '{.type}{"|"}{.object.metadata.name}{"|"}{.object.endpoints[*].conditions.ready}{"\\n"}';
    return new ReadyCountWatcher(
      [
        'get',
        'endpointslices',
        '-n',
        namespace,
        '-l',
        `kubernetes.io/service-name=${service}`,
        '-o',
        `jsonpath=${template}`,
      ],
      ([ready]) => (ready ?? '').split(' ').filter((value) => value === 'true').length,
    );
  }

  /**
   * Resolves once the watch's initial replay (ADDED events for existing objects) has reached the
   * count the caller knows is there; only changes after that point can lower the minimum.
   */
  async started(expected: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.current < expected) {
      if (this.child.exitCode !== null) throw new Error(`kubectl watch exited early: ${this.stderr}`);
      if (Date.now() > deadline) {
        throw new Error(`watch saw ${this.current} ready, expected ${expected} before the demo starts`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.synced = true;
    this.minimumSeen = this.current;
  }

  get current(): number {
    let total = 0;
    for (const value of this.counts.values()) total += value;
    return total;
  }

  /** Lowest count since started(); throws if the watch itself failed, so a dead watch cannot pass a test. */
  get minimum(): number {
    if (this.child.exitCode !== null) throw new Error(`kubectl watch exited early: ${this.stderr}`);
    return this.minimumSeen;
  }

  get events(): readonly string[] {
    return this.history;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
