import { describe, expect, it } from 'vitest';
import { compareIds, groupByAlias, identify, namesOf } from './merge.js';

describe('groupByAlias', () => {
  it('joins advisories through shared names, transitively', () => {
    const groups = groupByAlias([
      { id: 'GO-2023-1', aliases: ['GHSA-x'] },
      { id: 'GHSA-x', aliases: ['CVE-2023-1'] },
      { id: 'PYSEC-9', aliases: ['CVE-2023-1'] },
      { id: 'GHSA-y', aliases: ['CVE-2023-2'] },
    ]);
    expect(groups.map((g) => g.map((a) => a.id))).toEqual([['GO-2023-1', 'GHSA-x', 'PYSEC-9'], ['GHSA-y']]);
  });

  it('takes a single upstream CVE as an alias, but never glues several upstream CVEs together', () => {
    expect(namesOf({ id: 'DEBIAN-CVE-2023-1', aliases: [], upstream: ['CVE-2023-1'] })).toEqual([
      'CVE-2023-1',
    ]);
    expect(namesOf({ id: 'DSA-5500-1', aliases: [], upstream: ['CVE-2023-1', 'CVE-2023-2'] })).toEqual([]);
    const groups = groupByAlias([
      { id: 'DSA-5500-1', aliases: [], upstream: ['CVE-2023-1', 'CVE-2023-2'] },
      { id: 'DEBIAN-CVE-2023-1', aliases: [], upstream: ['CVE-2023-1'] },
      { id: 'DEBIAN-CVE-2023-2', aliases: [], upstream: ['CVE-2023-2'] },
    ]);
    expect(groups).toHaveLength(3);
  });
});

describe('identify', () => {
  it('reports under the CVE, then GHSA, and lists every other name', () => {
    expect(identify([{ id: 'GO-2023-1', aliases: ['GHSA-x', 'CVE-2023-9'] }])).toEqual({
      id: 'CVE-2023-9',
      aliases: ['GHSA-x', 'GO-2023-1'],
    });
    expect(identify([{ id: 'PYSEC-1', aliases: ['GHSA-b'] }]).id).toBe('GHSA-b');
    expect(identify([{ id: 'OSV-1', aliases: [] }]).id).toBe('OSV-1');
  });

  it('orders IDs with numbers as numbers', () => {
    expect(['CVE-2021-10000', 'CVE-2021-9999'].sort(compareIds)).toEqual(['CVE-2021-9999', 'CVE-2021-10000']);
  });
});
