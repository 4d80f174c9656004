// `npm run plan` entry point (precompiled, see scripts/plan.js).
import { main } from './cli';

process.exitCode = main(process.argv.slice(2));
