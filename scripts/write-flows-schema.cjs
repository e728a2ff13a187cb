#!/usr/bin/env node
// Regenerates docs/flows.schema.json and docs/audit-destinations.schema.json from the zod
// schemas in libs/config (unit tests fail when a checked-in file is stale).
'use strict';
require('./run-ts.cjs');
const fs = require('node:fs');
const path = require('node:path');
const { flowsJsonSchema, auditDestinationsJsonSchema } = require('../libs/config/src/index.ts');
for (const [file, schema] of [['flows.schema.json', flowsJsonSchema()], ['audit-destinations.schema.json', auditDestinationsJsonSchema()]]) {
  const target = path.join(__dirname, '../docs', file);
  fs.writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.error(`wrote ${path.relative(process.cwd(), target)}`);
}
