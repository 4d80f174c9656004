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
    expect(text).toContain('   * public host name users reach Nuxeo at; also the host of nuxeo.url (<scheme>://<host>/nuxeo)\n   */\n  readonly host: string;');
  });

  test('describes every field: none is documented only by where it sits (issue 22)', () => {
    const undescribed = [...generate().matchAll(/^ {3}\* `([^`]+)` in (?:the environment file|a tier's section of the environment file)\.$/gm)].map((m) => m[1]);
    expect(undescribed).toEqual([]);
  });

  test('carries the schema\'s descriptions and defaults', () => {
    const text: string = generate();
    expect(text).toContain('   * Redis maxmemory; must leave headroom below the memory limit\n   * @default "384Mi"\n   */\n  readonly maxmemory?: string;');
  });
});
