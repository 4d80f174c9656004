import { bytes, mebibytes } from '../../lib/settings/quantity';

describe('memory quantities', () => {
  test.each([
    ['512Mi', 512 * 2 ** 20],
    ['2Gi', 2 * 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['64Ki', 64 * 1024],
    ['1G', 1e9],
    ['500M', 5e8],
    ['3k', 3000],
    ['1024', 1024],
  ])('%s is %d bytes', (q, n) => expect(bytes(q)).toBe(n));

  test('mebibytes round down', () => {
    expect(mebibytes('1G')).toBe(953);
    expect(mebibytes('4Gi')).toBe(4096);
  });

  test.each(['2GB', 'Gi', '-1Gi', '1 Gi', '1e3'])('refuses %s', (q) => {
    expect(() => bytes(q)).toThrow(/not a memory quantity/);
  });
});
