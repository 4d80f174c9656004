#!/usr/bin/env node
// Writes schema/environment.schema.json from the zod schema the code validates with, then the
// documented settings interfaces the tiers' Props extend (scripts/props.js reads that file).
'use strict';
const fs = require('fs');
const path = require('path');
require('./build').ensureBuilt();
const { renderJsonSchema } = require('../.build/app/load.js');
const file = path.join(__dirname, '..', 'schema', 'environment.schema.json');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
require('./props').write();
