// `npm run openapi:write`: writes the bank-api's OpenAPI document to docs/services/bank-api.openapi.json.
// services/bank-api/test/openapi.test.ts fails when the committed file is not what this writes.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OPENAPI_FILE, openApiFileText } from './document.js';

const USAGE =
  "usage: npm run openapi:write\n  writes docs/services/bank-api.openapi.json from the service's schemas; takes no options\n";
try {
  parseArgs({ args: process.argv.slice(2), options: {}, strict: true, allowPositionals: false });
} catch (error) {
  process.stderr.write(`openapi:write: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
writeFileSync(OPENAPI_FILE, openApiFileText());
console.log(`wrote ${OPENAPI_FILE}`);
