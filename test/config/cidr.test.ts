import { contains, strictlyContains } from '../../lib/k8s/cidr';

describe('address blocks', () => {
  test.each([
    ['0.0.0.0/0', '10.0.0.0/8', true],
    ['0.0.0.0/0', '169.254.0.0/16', true],
    ['::/0', 'fc00::/7', true],
    ['::/0', 'fe80::/10', true],
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['0.0.0.0/0', 'fc00::/7', false],
    ['::/0', '10.0.0.0/8', false],
    ['52.0.0.0/8', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.1.0.0/16', false],
    ['2001:db8::/32', '2001:db9::/48', false],
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['10.1.0.0/16', '10.0.0.0/8', false],
  ])('%s strictly contains %s: %s', (outer, inner, expected) => {
    expect(strictlyContains(outer, inner)).toBe(expected);
  });
});

test('contains also holds for the block itself, and reads compressed IPv6', () => {
  expect(contains('10.0.0.0/8', '10.0.0.0/8')).toBe(true);
  expect(contains('fd00:ec2::23/128', 'fd00:ec2:0:0:0:0:0:23/128')).toBe(true);
  expect(contains('169.254.170.23/32', '169.254.170.24/32')).toBe(false);
  expect(contains('10.1.0.0/16', '10.0.0.0/8')).toBe(false);
});
