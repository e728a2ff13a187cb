#!/usr/bin/env node
// Regenerates docs/flows.schema.json from the zod schema in libs/config (a unit test fails
// when the checked-in file is stale).
'use strict';
require('./run-ts.cjs');
const fs = require('node:fs');
const path = require('node:path');
const { flowsJsonSchema } = require('../libs/config/src/index.ts');
const target = path.join(__dirname, '../docs/flows.schema.json');
fs.writeFileSync(target, `${JSON.stringify(flowsJsonSchema(), null, 2)}\n`);
console.error(`wrote ${path.relative(process.cwd(), target)}`);
