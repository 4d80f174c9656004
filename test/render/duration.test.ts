import { GATEWAY_DURATION, gatewayDuration, MAX_GATEWAY_DURATION_SECONDS } from '../../lib/load-balancer/duration';

/** Seconds a Duration stands for, read back independently of the converter. */
function secondsOf(d: string): number {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return [...d.matchAll(/([0-9]+)(ms|h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

describe('Gateway API durations', () => {
  test.each([
    [0, '0s'], [1, '1s'], [59, '59s'], [60, '1m'], [90, '1m30s'], [600, '10m'], [3600, '1h'], [5400, '1h30m'],
    [28800, '8h'], [86400, '24h'], [99999, '27h46m39s'], [100000, '27h46m40s'], [172800, '48h'], [604800, '168h'], [31536000, '8760h'],
  ])('%i seconds -> %s', (seconds, expected) => {
    expect(gatewayDuration(seconds)).toBe(expected);
  });

  test('plain seconds stop matching the pattern at 100000, which is why the converter exists', () => {
    expect(GATEWAY_DURATION.test('99999s')).toBe(true);
    expect(GATEWAY_DURATION.test('172800s')).toBe(false);
  });

  test('every value from 0 to two days, and a sweep up to the largest, matches the pattern and means the same seconds', () => {
    const values = [
      ...Array.from({ length: 172801 }, (_, i) => i),
      ...Array.from({ length: 10000 }, (_, i) => Math.floor((i / 9999) * MAX_GATEWAY_DURATION_SECONDS)),
    ];
    const wrong = values.filter((v) => { const d = gatewayDuration(v); return !GATEWAY_DURATION.test(d) || secondsOf(d) !== v; });
    expect(wrong).toEqual([]);
  });

  test('refuses what no Duration can say', () => {
    expect(() => gatewayDuration(MAX_GATEWAY_DURATION_SECONDS + 1)).toThrow(RangeError);
    expect(() => gatewayDuration(-1)).toThrow(RangeError);
    expect(() => gatewayDuration(1.5)).toThrow(RangeError);
  });
});
