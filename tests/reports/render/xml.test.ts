import { describe, expect, it } from 'vitest';
import { xmlErrors } from './xml.js';

// The checker guards the chart tests, so it must itself reject bad markup.
describe('xmlErrors', () => {
  it('accepts well-formed markup', () => {
    expect(xmlErrors('<svg a="1"><g><text x="1">a &amp; b &#39;</text></g><rect/></svg>')).toEqual([]);
  });

  it.each([
    ['<svg><g></svg>', 'closes'],
    ['<svg><g>', 'unclosed'],
    ['<svg>a & b</svg>', 'bare &'],
    ['<svg a="1" a="2"/>', 'duplicate'],
    ['<svg a=1/>', 'malformed'],
    ['<svg/><svg/>', 'root'],
    ['<svg><script>x</script></svg> trailing', 'outside'],
  ])('rejects %s', (xml, problem) => {
    expect(xmlErrors(xml).join('\n')).toContain(problem);
  });
});
