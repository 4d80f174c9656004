#!/usr/bin/env node
// `npm run plan`: run the precompiled plan command, rebuilding it first if stale (scripts/build.js).
'use strict';
const path = require('path');
const { ensureBuilt, runCached, OUT } = require('./build');

ensureBuilt();
runCached(path.join(OUT, 'app', 'plan', 'main.js'));
