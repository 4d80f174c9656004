import * as fs from 'fs';
import * as path from 'path';
import { podSettings } from '../../lib/settings/fields';

// scripts/props.js is plain CommonJS: the generator the committed files came from.
const { generate: files, ROOT } = require('../../scripts/props.js');
/** Every generated file, one after the other. */
const generate = (): string => Object.values(files() as Record<string, string>).join('\n');

describe('settings.generated.ts, in each tier folder', () => {
  test('are what `npm run schema` generates from the committed JSON Schema', () => {
    const generated: Record<string, string> = files();
    for (const [file, text] of Object.entries(generated)) expect([file, fs.readFileSync(path.join(ROOT, file), 'utf8')]).toEqual([file, text]);
  });

  test("each tier's interfaces are in its folder, the shared ones beneath the tiers", () => {
    const generated: Record<string, string> = files();
    const where = (name: string) => Object.keys(generated).find((f) => new RegExp(`^export interface ${name}( extends \\w+)? \\{`, 'm').test(generated[f]));
    expect(where('NuxeoSettings')).toBe('lib/nuxeo/settings.generated.ts');
    expect(where('RedisSentinelSettings')).toBe('lib/redis/settings.generated.ts');
    expect(where('ElasticsearchSnapshotsSettings')).toBe('lib/elasticsearch/settings.generated.ts');
    expect(where('DatabaseCloudnativepgSettings')).toBe('lib/database/settings.generated.ts');
    expect(where('LoadBalancerGatewaySettings')).toBe('lib/load-balancer/settings.generated.ts');
    expect(where('NetworkDnsSettings')).toBe('lib/k8s/settings.generated.ts');
    expect(where('AffinitySettings')).toBe('lib/settings/settings.generated.ts');
    // A tier's file imports only the shared interfaces (the tiers with pod settings), never another tier's.
    const imports = Object.fromEntries(Object.entries(generated).map(([file, text]) => [file, [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1])]));
    const shared = ['../settings/settings.generated'];
    expect(imports).toEqual({
      'lib/nuxeo/settings.generated.ts': shared, 'lib/redis/settings.generated.ts': shared, 'lib/elasticsearch/settings.generated.ts': shared,
      'lib/database/settings.generated.ts': shared, 'lib/load-balancer/settings.generated.ts': [], 'lib/k8s/settings.generated.ts': [],
      'lib/settings/settings.generated.ts': [],
    });
  });

  test('the base every tier extends holds the pod settings, lib/settings/fields.ts podSettings(), and only those', () => {
    const generated: Record<string, string> = files();
    const base = /^export interface PodSettings \{\n([\s\S]*?)\n\}/m.exec(generated['lib/settings/settings.generated.ts']);
    expect([...(base?.[1] ?? '').matchAll(/^ {2}readonly (\w+)\?:/gm)].map((m) => m[1])).toEqual(Object.keys(podSettings()));
    const extending = Object.entries(generated).filter(([, text]) => / extends PodSettings \{/.test(text)).map(([file]) => file).sort();
    expect(extending).toEqual(['lib/database/settings.generated.ts', 'lib/elasticsearch/settings.generated.ts', 'lib/nuxeo/settings.generated.ts', 'lib/redis/settings.generated.ts']);
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
