// The web server, like bank-api, is configured by environment variables only: an argument is always a
// mistake. Message, usage, exit 2 (the repository's exit code for usage errors).

const HELP = new Set(['-h', '--help']);

export function rejectArguments(name: string, command: string, args: readonly string[]): void {
  if (args.length === 0) return;
  const usage = `usage: ${command}\n  takes no arguments: configure it with environment variables (docs/services/bank-web.md)\n`;
  if (args.length === 1 && HELP.has(args[0] as string)) {
    process.stdout.write(usage);
    process.exit(0);
  }
  process.stderr.write(`${name}: unexpected argument '${args[0]}'\n${usage}`);
  process.exit(2);
}
