// `npm run openapi:write`: writes the bank-api's OpenAPI document to docs/services/bank-api.openapi.json.
// services/bank-api/test/openapi.test.ts fails when the committed file is not what this writes.
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, openApiFileText } from './document.js';

writeFileSync(OPENAPI_FILE, openApiFileText());
console.log(`wrote ${OPENAPI_FILE}`);
