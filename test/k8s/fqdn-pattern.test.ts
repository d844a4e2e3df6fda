import { fqdnPatternMatches, fqdnPatternsIntersect, normalizeFqdn } from '../../src/k8s/fqdn-pattern';

/**
 * Cilium's matchPattern rule, from its documented examples (docs.cilium.io "Layer 3 Policies", DNS
 * based: `*` alone matches all names; `*.cilium.io` matches `sub.cilium.io`, not `cilium.io` nor a
 * name two labels deep) and the rule of cilium/cilium pkg/fqdn/matchpattern (each `*` a run of
 * `[-a-zA-Z0-9_]`, never a dot; lower case; the trailing dot does not count).
 */
describe('fqdnPatternMatches', () => {
  test.each([
    ['*', 'cilium.io', true],
    ['*', 'a.b.c.cilium.io', true],
    ['*.cilium.io', 'sub.cilium.io', true],
    ['*.cilium.io', 'cilium.io', false],
    ['*.cilium.io', 'a.b.cilium.io', false],
    ['*.cilium.io', 'sub.cilium.io.evil.com', false],
    ['*.cilium.io', 'subxcilium.io', false],
    ['*cilium.io', 'cilium.io', true],
    ['*cilium.io', 'sub-cilium.io', true],
    ['*cilium.io', 'sub.cilium.io', false],
    ['sub*.cilium.io', 'sub.cilium.io', true],
    ['sub*.cilium.io', 'sub-1_x.cilium.io', true],
    ['sub*.cilium.io', 'xsub.cilium.io', false],
    ['api.*.com', 'api.example.com', true],
    ['api.*.com', 'api.a.b.com', false],
    ['*.*.cilium.io', 'a.b.cilium.io', true],
    ['*.*.cilium.io', 'b.cilium.io', false],
    // A matchName (no `*`) is that name only; `.` and `-` are themselves, not regular expression characters.
    ['cilium.io', 'cilium.io', true],
    ['cilium.io', 'ciliumxio', false],
    ['a-b.io', 'a-b.io', true],
    ['a-b.io', 'a_b.io', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(fqdnPatternMatches(pattern, name)).toBe(expected);
  });

  test('names and patterns compare as Cilium normalizes them: lower case, without the trailing dot', () => {
    expect(normalizeFqdn('Sub.Cilium.IO.')).toBe('sub.cilium.io');
    expect(fqdnPatternMatches(normalizeFqdn('*.Cilium.io.'), normalizeFqdn('API.cilium.io'))).toBe(true);
  });
});

describe('fqdnPatternsIntersect', () => {
  test.each([
    ['*', '*.example.com', true],
    ['*.example.com', '*', true],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', 'api.*.com', true],
    ['*.example.com', '*.*.example.com', false],
    ['*.example.com', '*.example.org', false],
    ['a*.example.com', '*b.example.com', true],
    ['a*.example.com', 'b*.example.com', false],
    ['api.example.com', 'api.example.com', true],
    ['api.example.com', 'web.example.com', false],
  ])('%s and %s share a name: %s', (a, b, expected) => {
    expect(fqdnPatternsIntersect(a, b)).toBe(expected);
    expect(fqdnPatternsIntersect(b, a)).toBe(expected);
  });

  test('agrees with fqdnPatternMatches for a name (a pattern without *)', () => {
    const patterns = ['*', '*.cilium.io', '*cilium.io', 'sub*.cilium.io', 'api.*.com', 'cilium.io'];
    const names = ['cilium.io', 'sub.cilium.io', 'a.b.cilium.io', 'sub-cilium.io', 'api.example.com', 'sub1.cilium.io'];
    for (const p of patterns) for (const n of names) expect(`${p} ${n} ${fqdnPatternsIntersect(p, n)}`).toBe(`${p} ${n} ${fqdnPatternMatches(p, n)}`);
  });
});
