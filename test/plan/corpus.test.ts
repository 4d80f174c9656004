/** The plan's prediction for each change of the corpus (test/cluster/corpus/changes.yaml). */
import { planEnvironment } from '../../app/plan/plan';
import { corpus, sides } from '../cluster/corpus/corpus';

describe.each(corpus().map((c) => [c.name, c] as const))('%s', (_name, change) => {
  const { namespace, before, after } = sides(change);
  const changes = planEnvironment({ name: change.environment, namespace, before, after });

  const listed = (c: { kind: string; name: string; effect: string }) => change.expect.some((e) => e.kind === c.kind && e.name === c.name && e.effect === c.effect);

  test('predicts the expected effect on each object, riskiest first, and nothing else', () => {
    const got = changes.filter(listed).map((c) => ({ kind: c.kind, name: c.name, effect: c.effect }));
    expect(got).toEqual(change.expect.map(({ kind, name, effect }) => ({ kind, name, effect })));
    const others = changes.filter((c) => !listed(c) && !(change.othersMay ?? []).includes(c.effect));
    expect(others.map((c) => `${c.kind} ${c.name}: ${c.effect}`)).toEqual([]);
    for (const e of change.expect.filter((x) => x.summary)) {
      expect(changes.find((c) => c.kind === e.kind && c.name === e.name && c.effect === e.effect)?.summary).toBe(e.summary);
    }
  });

  test('a rejected change says which fields and how to carry it out', () => {
    for (const c of changes.filter((x) => x.effect === 'rejected')) {
      expect(c.fields.length).toBeGreaterThan(0);
      expect(c.commands.length).toBeGreaterThan(0);
      expect(c.reason).toMatch(/\(Validate\w+|validate\w+/);
    }
  });
});
