/**
 * Drift detection: every tier file (and the summary) of the shipped examples only, pinned by name,
 * so a user's own environment files never add snapshots (and `jest --ci` never refuses them).
 * To snapshot your own environments too, see README "Add your own environment".
 */
import { synthesizeEnvironment } from '../lib/synth';
import { EXAMPLES, exampleEnvironment } from './helpers';

describe.each(EXAMPLES.map((name) => [name, exampleEnvironment(name)] as const))('%s', (_name, env) => {
  const files = synthesizeEnvironment(env);
  test.each([...files.keys()])('%s', (file) => {
    expect(files.get(file)).toMatchSnapshot();
  });
});
