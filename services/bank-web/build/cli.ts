import { rejectArguments } from '../server/cli-arguments.js';
import { buildWebApp } from './build.js';

// npm run web:build: the production bundle in services/bank-web/dist/public (what the image serves).
rejectArguments('web:build', 'npm run web:build', process.argv.slice(2));
const started = performance.now();
const dir = await buildWebApp();
process.stdout.write(`bank-web built in ${Math.round(performance.now() - started)} ms: ${dir}\n`);
