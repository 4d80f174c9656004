/** Address-block arithmetic for NetworkPolicy ipBlocks (IPv4 and IPv6). */

function parseAddress(address: string): { family: 4 | 6; value: bigint } {
  if (address.includes(':')) {
    const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n) };
  }
  return { family: 4, value: address.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n) };
}

function parseCidr(cidr: string): { family: 4 | 6; network: bigint; prefix: number } {
  const [address, prefix] = cidr.split('/');
  const { family, value } = parseAddress(address);
  const bits = family === 4 ? 32 : 128;
  const p = Number(prefix);
  return { family, network: value >> BigInt(bits - p), prefix: p };
}

/** True when block `inner` lies inside block `outer` (or is it). */
export function contains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (o.family !== i.family || i.prefix < o.prefix) return false;
  return i.network >> BigInt(i.prefix - o.prefix) === o.network;
}

/** True when `inner` is a strictly smaller block inside `outer` (what ipBlock.except requires). */
export function strictlyContains(outer: string, inner: string): boolean {
  return contains(outer, inner) && parseCidr(inner).prefix > parseCidr(outer).prefix;
}
