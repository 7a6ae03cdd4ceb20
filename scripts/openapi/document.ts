// The bank-api's OpenAPI document as committed at docs/services/bank-api.openapi.json: generated from
// the service's zod schemas (services/bank-api/src/http/openapi.ts), then laid out by the repository's
// formatter (Biome), so `npm run lint` accepts the file and regenerating it gives the same bytes.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiText } from '../../services/bank-api/src/http/openapi.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OPENAPI_FILE = fileURLToPath(
  new URL('../../docs/services/bank-api.openapi.json', import.meta.url),
);

/** The file's expected content. */
export function openApiFileText(): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  const result = spawnSync(
    process.execPath,
    [biome, 'format', `--stdin-file-path=${relative(ROOT, OPENAPI_FILE)}`],
    { cwd: ROOT, input: openApiText(), encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`biome format failed: ${result.stderr}`);
  return result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`;
}
