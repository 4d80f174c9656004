// cdk8s entry point: `npm run synth` and `npx cdk8s synth` run this (precompiled, see scripts/synth.js).
import { main } from './app/synth';

process.exitCode = main(process.argv.slice(2));
