#!/usr/bin/env node
// Regenerates docs/authorization.md from the authorization table the policy is tested against.
'use strict';
require('./run-ts.cjs');
const fs = require('node:fs');
const path = require('node:path');
const { renderAuthorizationDoc } = require('../apps/approval/src/policy/authorization-matrix.ts');
const target = path.join(__dirname, '../docs/authorization.md');
fs.writeFileSync(target, renderAuthorizationDoc());
console.error(`wrote ${path.relative(process.cwd(), target)}`);
