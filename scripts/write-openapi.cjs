#!/usr/bin/env node
// Regenerates docs/openapi.json from the gateway's routes and schemas.
'use strict';
require('./run-ts.cjs');
const fs = require('node:fs');
const path = require('node:path');
const { buildOpenApiDocument } = require('../apps/gateway/src/openapi/openapi-document.ts');
const target = path.join(__dirname, '../docs/openapi.json');
fs.writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.error(`wrote ${path.relative(process.cwd(), target)}`);
