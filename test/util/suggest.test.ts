import { describe, expect, it } from 'vitest';
import { closeMatches, didYouMean, editDistance } from '../../src/util/suggest.js';

describe('suggestions', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('serach', 'search')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest known names, ignoring case, none when nothing is close', () => {
    expect(closeMatches('enabel', ['base', 'enable', 'disable', 'keep'])).toEqual(['enable']);
    expect(closeMatches('signalfd', ['SIGNALFD', 'TIMERFD'])).toEqual(['SIGNALFD']);
    expect(didYouMean('xyzzy', ['base', 'keep'])).toBe('');
    expect(didYouMean('kep', ['base', 'keep'])).toBe(' (did you mean "keep"?)');
  });
});
