import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_FILE, apiTypesSource } from './api-types.js';

/** `npm run gen:api`: regenerates the web app's API types from the route schemas. */
writeFileSync(SCHEMA_FILE, await apiTypesSource());
console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
