import { describe, expect, it } from 'vitest';
import { atLeast, compareFindings, type Finding, isSeverity, severityRank } from './finding.js';

const finding = (id: string, path: string, line: number): Finding => ({
  kind: 'misconfiguration',
  id,
  aliases: [],
  severity: 'LOW',
  title: id,
  location: { path, line },
  controls: [],
  references: [],
});

describe('Finding helpers', () => {
  it('orders severities most severe first', () => {
    expect(severityRank('CRITICAL')).toBe(0);
    expect(atLeast('HIGH', 'MEDIUM')).toBe(true);
    expect(atLeast('LOW', 'MEDIUM')).toBe(false);
    expect(atLeast('MEDIUM', 'MEDIUM')).toBe(true);
    expect(isSeverity('HIGH')).toBe(true);
    expect(isSeverity('high')).toBe(false);
  });

  it('sorts findings by path, line, then id', () => {
    const list = [finding('B', 'b', 1), finding('B', 'a', 2), finding('A', 'a', 2), finding('C', 'a', 1)];
    expect(list.sort(compareFindings).map((f) => `${f.location.path}:${f.location.line}:${f.id}`)).toEqual([
      'a:1:C',
      'a:2:A',
      'a:2:B',
      'b:1:B',
    ]);
  });
});
