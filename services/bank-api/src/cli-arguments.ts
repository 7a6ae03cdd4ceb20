// The service and its migration command are configured by environment variables only (the same
// ones the Kubernetes manifests set), so a command-line argument is always a mistake: say so and
// exit 2, the exit code of every usage error in this repository.

const HELP = new Set(['-h', '--help']);

/** Exits the process with a usage message when any argument is given (0 for --help, 2 otherwise). */
export function rejectArguments(name: string, command: string, args: readonly string[]): void {
  if (args.length === 0) return;
  const usage = `usage: ${command}\n  takes no arguments: configure it with environment variables (docs/services/bank-api.md, "Configuration")\n`;
  if (args.length === 1 && HELP.has(args[0] as string)) {
    process.stdout.write(usage);
    process.exit(0);
  }
  process.stderr.write(`${name}: unexpected argument '${args[0]}'\n${usage}`);
  process.exit(2);
}
