/**
 * Kubernetes quantities, parsed only as far as validation and sizing need them.
 * The strings themselves go to the manifests untouched.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export const MEMORY_PATTERN = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
export const CPU_PATTERN = /^([0-9]+m|[0-9]+(\.[0-9]+)?)$/;

/** Bytes in a memory or storage quantity such as `512Mi`, `2Gi` or `1G`. */
export function bytes(quantity: string): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity);
  if (!m || !MEMORY_PATTERN.test(quantity)) throw new Error(`not a memory quantity: ${quantity}`);
  const factor = BINARY[m[2]] ?? DECIMAL[m[2]];
  return Math.floor(parseFloat(m[1]) * factor);
}

/** Whole mebibytes, rounded down: the unit JVM and Redis sizes are written in. */
export function mebibytes(quantity: string): number {
  return Math.floor(bytes(quantity) / 2 ** 20);
}

/** CPU cores in a CPU quantity such as `500m` or `2`. */
export function cpuCores(quantity: string): number {
  if (!CPU_PATTERN.test(quantity)) throw new Error(`not a CPU quantity: ${quantity}`);
  return quantity.endsWith('m') ? parseInt(quantity, 10) / 1000 : parseFloat(quantity);
}

/** A quantity for a whole number of mebibytes, in Gi when it is whole gibibytes. */
export function mebibytesQuantity(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
