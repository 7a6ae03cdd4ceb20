import { parseArgs } from 'node:util';

export const SYNTH_USAGE =
  'usage: npm run synth:platform [-- --help]\n' +
  '  synthesizes every environment offline into cdk.out (set CDK_OUTDIR for another folder) and\n' +
  '  prints the stacks, their resource counts and the cdk-nag verdict\n';

/**
 * `npm run synth:platform` takes no options: an unknown one (a typo of a flag someone expected to
 * work) stops with the usage and exit 2 instead of being ignored. Returns the exit code to stop
 * with, or undefined to synthesize.
 */
export function synthArguments(
  argv: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
): number | undefined {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      out(SYNTH_USAGE);
      return 0;
    }
    return undefined;
  } catch (error) {
    err(`synth:platform: ${error instanceof Error ? error.message : String(error)}\n${SYNTH_USAGE}`);
    return 2;
  }
}
