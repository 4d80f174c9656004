#!/usr/bin/env node
// `npm run synth` and the cdk8s.yaml app: run the precompiled app, rebuilding it first if stale.
'use strict';
require('./build').ensureBuilt();
require('../.build/main.js');
