import { describe, expect, it } from 'vitest';
import { type Keyword, KeywordMatcher } from './keyword-matcher.js';

function hits(keywords: Keyword[], text: string): [string, number][] {
  const out: [string, number][] = [];
  new KeywordMatcher(keywords).scan(Buffer.from(text, 'latin1'), (k, end) =>
    out.push([keywords[k]?.text ?? '', end]),
  );
  return out;
}

function naive(keywords: Keyword[], text: string): [string, number][] {
  const out: [string, number][] = [];
  for (let end = 1; end <= text.length; end++) {
    for (const k of keywords) {
      const start = end - k.text.length;
      if (start < 0) continue;
      const piece = text.slice(start, end);
      if (k.caseSensitive ? piece === k.text : piece.toLowerCase() === k.text.toLowerCase())
        out.push([k.text, end]);
    }
  }
  return out;
}

const sortHits = (h: [string, number][]) => [...h].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));

describe('KeywordMatcher', () => {
  it('finds overlapping keywords in one pass (he/she/his/hers)', () => {
    const kws = ['he', 'she', 'his', 'hers'].map((text) => ({ text, caseSensitive: false }));
    expect(sortHits(hits(kws, 'ushers'))).toEqual([
      ['he', 4],
      ['she', 4],
      ['hers', 6],
    ]);
  });

  it('folds ASCII case unless a keyword is case-sensitive', () => {
    const kws = [
      { text: 'akia', caseSensitive: false },
      { text: 'SK', caseSensitive: true },
    ];
    expect(hits(kws, 'AkIa sk SK')).toEqual([
      ['akia', 4],
      ['SK', 10],
    ]);
  });

  it('agrees with a naive search on random inputs', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = 'abAB_-';
    const word = (len: number) => Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const kws = Array.from({ length: 1 + rand(6) }, () => ({
        text: word(1 + rand(4)),
        caseSensitive: rand(2) === 0,
      }));
      const unique = kws.filter(
        (k, i) => kws.findIndex((o) => o.text === k.text && o.caseSensitive === k.caseSensitive) === i,
      );
      const text = word(rand(80));
      expect(sortHits(hits(unique, text))).toEqual(sortHits(naive(unique, text)));
    }
  });

  it('refuses an empty keyword', () => {
    expect(() => new KeywordMatcher([{ text: '', caseSensitive: false }])).toThrow(/empty/);
  });
});
