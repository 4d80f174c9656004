/**
 * Drift detection: every tier file (and the summary) of the shipped examples only, pinned by name
 * so a user's own environment files never add any, against the committed dist/, which is the one
 * place these bytes are pinned (reviewed as a pull-request diff). A change in the output fails
 * here, one file at a time; after reading the diff, run `npm run synth` and commit dist/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SUMMARY_FILE, synthesizeEnvironment } from '../app/synth';
import { EXAMPLES, exampleEnvironment, ROOT } from './helpers';

describe.each(EXAMPLES.map((name) => [name, exampleEnvironment(name)] as const))('%s', (name, env) => {
  const committed = path.join(ROOT, 'dist', name);
  // As synth does: the committed SUMMARY.md carries its record of a change to apply by hand.
  const files = synthesizeEnvironment(env, fs.readFileSync(path.join(committed, SUMMARY_FILE), 'utf8'));
  test('writes the same files as committed', () => {
    expect([...files.keys()].sort()).toEqual(fs.readdirSync(committed).sort());
  });
  test.each([...files.keys()])('%s', (file) => {
    expect(files.get(file)).toBe(fs.readFileSync(path.join(committed, file), 'utf8'));
  });
});
