/**
 * The backing-service versions Nuxeo LTS 2021 was certified with, and their upstream end of
 * life: synth warns when a chosen image is outside the first or past the second. README
 * "Versions" says why the defaults are what they are.
 *
 * Sources:
 * - Nuxeo LTS 2021 compatibility matrix (doc.nuxeo.com, "Compatibility Matrix", LTS 2021):
 *   PostgreSQL 11 and 12 supported, 13 recommended; Redis 2.8 to 6.0 (client Jedis 2.9).
 * - PostgreSQL versioning policy (postgresql.org/support/versioning): each major is supported
 *   five years; final release dates below.
 * - Redis security policy (redis.io, "Supported versions"): only the latest minor of the current
 *   major, the previous minor, and the latest minor of the previous major get fixes. With Redis 8
 *   current, that leaves 7.4 as the only 7.x line, and nothing older.
 *
 * The dates depend on the calendar, so these warnings are printed by synth, never written into
 * dist/ (which must stay the same from one day to the next).
 */
import type { EnvironmentSpec } from './environment';

/** PostgreSQL majors and the date of their final release (end of life). */
export const POSTGRES_END_OF_LIFE: Record<number, string> = {
  11: '2023-11-09',
  12: '2024-11-21',
  13: '2025-11-13',
  14: '2026-11-12',
  15: '2027-11-11',
  16: '2028-11-09',
  17: '2029-11-08',
  18: '2030-11-14',
};
/** Nuxeo LTS 2021's matrix: PostgreSQL majors (13 recommended). */
export const NUXEO_2021_POSTGRES = [11, 12, 13];
/** Nuxeo LTS 2021's matrix: Redis 2.8 to 6.0, as major*100+minor. */
export const NUXEO_2021_REDIS = { from: 208, to: 600 };
/** Oldest Redis line the Redis security policy still fixes (7.4, once 8 is current). */
export const REDIS_OLDEST_SUPPORTED = 704;

/** `major.minor` of an image tag such as `postgres:15.14` or `redis:7.4.6-alpine`; undefined if not numeric. */
export function tagVersion(image: string): { major: number; minor: number } | undefined {
  const tag = image.slice(image.lastIndexOf(':') + 1);
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag);
  return m ? { major: Number(m[1]), minor: Number(m[2] ?? 0) } : undefined;
}

/** The PostgreSQL image the environment runs and its field: CloudNativePG's, ours, or none (managed). */
function postgresImage(spec: EnvironmentSpec): { field: string; image: string } | undefined {
  const db = spec.database;
  if (db.managed) return undefined;
  return db.provider === 'cloudnativepg' ? { field: 'database.cloudnativepg.image', image: db.cloudnativepg.image } : { field: 'database.image', image: db.image };
}

/** Warnings about the PostgreSQL and Redis images the environment runs (none for a managed service), as of `today` (YYYY-MM-DD). */
export function versionWarnings(spec: EnvironmentSpec, today: string): string[] {
  const warnings: string[] = [];
  const pgImage = postgresImage(spec);
  const pg = pgImage && tagVersion(pgImage.image);
  if (pg && pgImage) {
    const at = `${pgImage.field} ${pgImage.image}`;
    const eol = POSTGRES_END_OF_LIFE[pg.major];
    if (!NUXEO_2021_POSTGRES.includes(pg.major)) {
      warnings.push(
        `${at}: PostgreSQL ${pg.major} is outside Nuxeo LTS 2021's compatibility matrix ` +
          `(${NUXEO_2021_POSTGRES.join(', ')}; 13 recommended). Those majors are past upstream end of life (13 on ${POSTGRES_END_OF_LIFE[13]}), ` +
          'so a supported PostgreSQL is necessarily outside the matrix: test upgrades on a copy first (README "Versions").',
      );
    }
    if (eol === undefined) {
      warnings.push(`${at}: PostgreSQL ${pg.major} has no known end-of-life date here (app/versions.ts).`);
    } else if (eol <= today) {
      warnings.push(`${at}: PostgreSQL ${pg.major} reached upstream end of life on ${eol}: no more security fixes. Move to a supported major.`);
    }
  }
  const redis = spec.redis.managed ? undefined : tagVersion(spec.redis.image);
  if (redis) {
    const v = redis.major * 100 + redis.minor;
    const name = `Redis ${redis.major}.${redis.minor}`;
    if (v < NUXEO_2021_REDIS.from || v > NUXEO_2021_REDIS.to) {
      warnings.push(
        `redis.image ${spec.redis.image}: ${name} is outside Nuxeo LTS 2021's compatibility matrix (2.8 to 6.0). ` +
          'Nuxeo uses plain commands, Lua scripts and password AUTH (Jedis 2.9, RESP2), which later versions keep; the lines in the matrix no longer get fixes (README "Versions").',
      );
    }
    if (v < REDIS_OLDEST_SUPPORTED) {
      warnings.push(`redis.image ${spec.redis.image}: ${name} is past upstream support (the Redis security policy fixes only 8.x and 7.4). Move to 7.4 or later.`);
    }
  }
  return warnings;
}
