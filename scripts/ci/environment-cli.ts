import { parseArgs } from 'node:util';
import { loadEnvironment } from '../../platform/config/index.js';
import { ciEnvironment } from './environment.js';

function main(argv: string[]): number {
  try {
    const { values } = parseArgs({ args: argv, options: { env: { type: 'string' } }, strict: true });
    if (!values.env) throw new Error('--env is required');
    const outputs = ciEnvironment(loadEnvironment(values.env));
    process.stdout.write(
      Object.entries(outputs)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );
    return 0;
  } catch (error) {
    console.error(`ci:environment: ${error instanceof Error ? error.message : String(error)}`);
    console.error('usage: npm run --silent ci:environment -- --env <name>');
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
