/** Drift detection: every tier file (and the summary) of both shipped environments. */
import { synthesizeEnvironment } from '../lib/synth';
import { shippedEnvironments } from './helpers';

describe.each(shippedEnvironments().map((e) => [e.name, e] as const))('%s', (_name, env) => {
  const files = synthesizeEnvironment(env);
  test.each([...files.keys()])('%s', (file) => {
    expect(files.get(file)).toMatchSnapshot();
  });
});
