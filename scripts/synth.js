#!/usr/bin/env node
// `npm run synth` and the cdk8s.yaml app: run the precompiled app, rebuilding it first if stale.
'use strict';
const path = require('path');
const { ensureBuilt, runCached, OUT } = require('./build');

ensureBuilt();
runCached(path.join(OUT, 'main.js'));
