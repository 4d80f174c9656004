import { tagVersion, versionWarnings } from '../../app/versions';
import { environment } from '../helpers';

const spec = (database: string, redis: string) => environment('v', { database: { image: database }, redis: { image: redis } }).spec;

describe('version warnings', () => {
  test('reads major.minor from image tags', () => {
    expect(tagVersion('postgres:15.14')).toEqual({ major: 15, minor: 14 });
    expect(tagVersion('registry.example.com:5000/redis:7.4.6-alpine')).toEqual({ major: 7, minor: 4 });
    expect(tagVersion('postgres:bookworm')).toBeUndefined();
  });

  test('PostgreSQL: outside the matrix is said with the reason; end of life counts from its date', () => {
    expect(versionWarnings(spec('postgres:15.14', 'redis:7.4.6'), '2026-11-26').filter((w) => w.startsWith('database'))).toEqual([
      "database.image postgres:15.14: PostgreSQL 15 is outside Nuxeo LTS 2021's compatibility matrix (11, 12, 13; 13 recommended). " +
        'Those majors are past upstream end of life (13 on 2025-11-13), so a supported PostgreSQL is necessarily outside the matrix: test upgrades on a copy first (README "Versions").',
    ]);
    expect(versionWarnings(spec('postgres:15.14', 'redis:7.4.6'), '2027-11-11')).toContainEqual(
      'database.image postgres:15.14: PostgreSQL 15 reached upstream end of life on 2027-11-11: no more security fixes. Move to a supported major.',
    );
    const thirteen = versionWarnings(spec('postgres:13.22', 'redis:7.4.6'), '2025-11-12').filter((w) => w.startsWith('database'));
    expect(thirteen).toEqual([]);
    expect(versionWarnings(spec('postgres:13.22', 'redis:7.4.6'), '2025-11-13').filter((w) => w.startsWith('database'))).toEqual([
      'database.image postgres:13.22: PostgreSQL 13 reached upstream end of life on 2025-11-13: no more security fixes. Move to a supported major.',
    ]);
  });

  test('Redis: 6.0 is in the matrix but unsupported, 7.4 supported but outside it, 7.2 both', () => {
    const redis = (image: string) => versionWarnings(spec('postgres:13.22', image), '2025-01-01').filter((w) => w.startsWith('redis'));
    expect(redis('redis:6.0.20')).toEqual(['redis.image redis:6.0.20: Redis 6.0 is past upstream support (the Redis security policy fixes only 8.x and 7.4). Move to 7.4 or later.']);
    expect(redis('redis:7.4.6')).toEqual([expect.stringContaining("redis.image redis:7.4.6: Redis 7.4 is outside Nuxeo LTS 2021's compatibility matrix (2.8 to 6.0)")]);
    expect(redis('redis:7.2.7')).toHaveLength(2);
  });

  test('only the images the environment runs: CloudNativePG\'s image, nothing for a managed service', () => {
    const cnpg = environment('vc', {
      secrets: { databasePassword: { name: 'db-app', key: 'password' } },
      database: { provider: 'cloudnativepg', image: 'postgres:11.22', cloudnativepg: { image: 'ghcr.io/cloudnative-pg/postgresql:13.22-system-trixie' }, backup: { objectStore: { destinationPath: 's3://backups/pg' } } },
    }).spec;
    const db = versionWarnings(cnpg, '2026-11-26').filter((w) => w.startsWith('database'));
    expect(db).toEqual(['database.cloudnativepg.image ghcr.io/cloudnative-pg/postgresql:13.22-system-trixie: PostgreSQL 13 reached upstream end of life on 2025-11-13: no more security fixes. Move to a supported major.']);
    const managed = environment('vm', {
      database: { image: 'postgres:11.22', managed: { host: 'db.example.com' } },
      redis: { image: 'redis:6.0.20', managed: { host: 'cache.example.com' } },
    }).spec;
    expect(versionWarnings(managed, '2026-11-26')).toEqual([]);
  });
});
