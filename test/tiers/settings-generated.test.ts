import * as fs from 'fs';

// scripts/props.js is plain CommonJS: the generator the committed file came from.
const { generate, OUT } = require('../../scripts/props.js');

describe('lib/settings/settings.generated.ts', () => {
  test('is what `npm run schema` generates from the committed JSON Schema', () => {
    expect(fs.readFileSync(OUT, 'utf8')).toBe(generate());
  });

  test('documents every optional field with its @default, and no required one', () => {
    const text: string = generate();
    const fields = [...text.matchAll(/((?:^ {3}\*.*\n)+) {3}\*\/\n {2}readonly [^?:]+(\??):/gm)];
    expect(fields.length).toBe((text.match(/^ {2}readonly /gm) ?? []).length);
    expect(fields.filter(([, , optional]) => optional).length).toBeGreaterThan(100);
    for (const [, comment, optional] of fields) expect(/^ {3}\* @default /m.test(comment)).toBe(optional === '?');
    expect(text).toContain('   * `loadBalancer.host` in the environment file.\n   */\n  readonly host: string;');
  });

  test('carries the schema\'s descriptions and defaults', () => {
    const text: string = generate();
    expect(text).toContain('   * Redis maxmemory; must leave headroom below the memory limit\n   * @default "384Mi"\n   */\n  readonly maxmemory?: string;');
  });
});
