/** One PostgreSQL promotion procedure: synth's warning, SUMMARY.md and the README say the same steps. */
import { promotionSteps, promotionSummary } from '../../app/postgres-promotion';
import { architectureWarnings } from '../../app/warnings';
import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { environment, readmeBlock } from '../helpers';

test('the README shows promotionSteps, in order, for any namespace', () => {
  expect(readmeBlock("<!-- promotionSteps('$NS')").trim().split('\n').map((l) => l.trim())).toEqual(promotionSteps('$NS'));
});

test('synth\'s warning and SUMMARY.md give the same steps with the namespace filled in', () => {
  const env = environment('promo');
  const [stop, promote, patch] = promotionSteps('nuxeo-promo');
  const warning = architectureWarnings(env.spec).find((w) => w.startsWith('PostgreSQL has no automatic failover'))!;
  expect(warning).toContain(promotionSummary('nuxeo-promo'));
  for (const step of [stop, promote, patch]) expect(warning).toContain(`\`${step}\``);
  expect(synthesizeEnvironment(env).get(SUMMARY_FILE)).toContain(`- ${warning}`);
  expect(warning).not.toMatch(/point postgresql-rw at it|nuxeo\.db\.host/);
});
