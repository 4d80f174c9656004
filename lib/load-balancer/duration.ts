/**
 * Gateway API `Duration` (GEP-2257): up to four `<1-5 digits><h|m|s|ms>` parts. A plain count of
 * seconds breaks the 5-digit limit from 100000s (about 28h) on, so whole hours, minutes and
 * seconds are written separately: 172800 -> `48h`, 5400 -> `1h30m`.
 */
export const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** The largest whole number of seconds a Duration can say (99999h59m59s). */
export const MAX_GATEWAY_DURATION_SECONDS = 99999 * 3600 + 59 * 60 + 59;

export function gatewayDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_GATEWAY_DURATION_SECONDS) {
    throw new RangeError(`${seconds} seconds cannot be written as a Gateway API Duration (0..${MAX_GATEWAY_DURATION_SECONDS} whole seconds)`);
  }
  const parts: [number, string][] = [[Math.floor(seconds / 3600), 'h'], [Math.floor((seconds % 3600) / 60), 'm'], [seconds % 60, 's']];
  const text = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('');
  return text || '0s';
}
