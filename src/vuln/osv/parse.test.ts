import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import { parseOsvJson, parseOsvRecord } from './parse.js';
import { readZipRecords } from './records.js';
import type { OsvRecord } from './types.js';

const KIT = join(import.meta.dirname, '../../../../shared/osv');

async function kitRecords(
  ecosystem: string,
): Promise<Map<string, { record: OsvRecord; warnings: string[] }>> {
  const out = new Map<string, { record: OsvRecord; warnings: string[] }>();
  for await (const raw of readZipRecords(join(KIT, ecosystem, 'all.zip'))) {
    const parsed = parseOsvJson(raw.data, raw.name);
    out.set(parsed.record.id, parsed);
  }
  return out;
}

const base = { id: 'TEST-1', modified: '2024-01-01T00:00:00Z' };

describe('parseOsvRecord on the real kit', () => {
  it('loads every record of every export without rejecting one', async () => {
    const counts: Record<string, number> = {};
    for (const ecosystem of ['Go', 'PyPI', 'npm', 'Maven'])
      counts[ecosystem] = (await kitRecords(ecosystem)).size;
    expect(counts).toEqual({ Go: 4291, PyPI: 2661, npm: 84, Maven: 15 });
  });

  it('keeps the quirks the kit documents, with a warning where data was dropped', async () => {
    const npm = await kitRecords('npm');
    const emptyScore = npm.get('GHSA-cqmj-92xf-r6r9');
    expect(emptyScore?.record.severity ?? []).toEqual([]);
    expect(emptyScore?.warnings.join()).toMatch(/empty score/);

    const twoFixed = npm.get('GHSA-h755-8qp9-cq85');
    expect(twoFixed?.record.affected?.[0]?.ranges?.[0]?.events).toEqual([
      { introduced: '6.10.0' },
      { fixed: '7.2.4, 6.11.4' },
    ]);
    expect(twoFixed?.warnings.join()).toMatch(/lists several versions/);

    const onlyIntroduced = (await kitRecords('Maven')).get('GHSA-fp5r-v3w9-4333');
    const ranges = onlyIntroduced?.record.affected?.flatMap((a) => a.ranges ?? []) ?? [];
    expect(ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '1.2.0' }] }]);
    expect(onlyIntroduced?.warnings).toEqual([]);

    const axios = npm.get('GHSA-8hc4-vh64-cxmj');
    expect(axios?.record.affected?.some((a) => a.package?.name === 'Axios')).toBe(true);

    const pypi = await kitRecords('PyPI');
    expect(pypi.get('PYSEC-2024-55')?.record.modified).toBe('0001-01-01T00:00:00Z');
    const withdrawn = [...pypi.values()].filter((p) => p.record.withdrawn !== undefined);
    expect(withdrawn).toHaveLength(10);
  });

  it('keeps Go ecosystem_specific data and GIT ranges with their repo', async () => {
    const go = await kitRecords('Go');
    const record = go.get('GO-2022-0969')?.record;
    expect(record?.affected?.[0]?.ecosystem_specific?.imports).toBeDefined();
    const pypi = await kitRecords('PyPI');
    const git = [...pypi.values()].flatMap((p) => p.record.affected ?? []).flatMap((a) => a.ranges ?? []);
    expect(git.filter((r) => r.type === 'GIT').every((r) => typeof r.repo === 'string')).toBe(true);
  });
});

describe('parseOsvRecord validation', () => {
  it.each([
    ['a non-object', [1, 2]],
    ['a missing id', { modified: '2024-01-01T00:00:00Z' }],
    ['an id with a slash', { id: '../etc/passwd', modified: '2024-01-01T00:00:00Z' }],
    ['a missing modified', { id: 'X-1' }],
  ])('rejects %s', (_, value) => {
    expect(() => parseOsvRecord(value, 'test')).toThrow(CeranaError);
  });

  it('rejects text that is not JSON with the place it came from', () => {
    expect(() => parseOsvJson('{"id": ', 'npm/all.zip: X.json')).toThrow(
      /npm\/all\.zip: X\.json: not valid JSON/,
    );
  });

  it('drops malformed parts with a warning and keeps the rest', () => {
    const { record, warnings } = parseOsvRecord(
      {
        ...base,
        aliases: ['CVE-2024-1', 7],
        severity: [
          { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
          { type: 'MADE_UP', score: 'x' },
        ],
        affected: [
          'nonsense',
          { package: { ecosystem: 'pypi', name: 'Django' }, versions: ['1.0', null], ranges: 'x' },
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            ranges: [
              {
                type: 'ECOSYSTEM',
                events: [{ introduced: 0 }, { fixed: '1.0', introduced: '2.0' }, { limit: '3.0' }],
              },
              { type: 'UNKNOWN', events: [{ introduced: '0' }] },
              { type: 'SEMVER', events: [] },
            ],
          },
          { package: { ecosystem: 'npm' } },
        ],
        references: [{ type: 'WEB', url: 'https://example.com' }, { type: 'WEB' }],
        database_specific: [1],
        credits: [{ name: 'someone', contact: ['mailto:a@b'] }, { contact: [] }],
      },
      'test',
    );
    expect(record.aliases).toEqual(['CVE-2024-1']);
    expect(record.severity).toEqual([
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    ]);
    expect(record.affected).toEqual([
      { package: { ecosystem: 'PyPI', name: 'Django' }, versions: ['1.0'] },
      {
        package: { ecosystem: 'npm', name: 'left-pad' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: '3.0' }] }],
      },
    ]);
    expect(record.references).toEqual([{ type: 'WEB', url: 'https://example.com' }]);
    expect(record.database_specific).toBeUndefined();
    expect(record.credits).toEqual([{ name: 'someone', contact: ['mailto:a@b'] }]);
    const text = warnings.join('\n');
    for (const expected of [
      'aliases[1] is not a string',
      'unknown type "MADE_UP"',
      'affected[0] is not an object',
      'ecosystem "pypi" read as PyPI',
      'affected[1].versions[1] is not a string',
      'affected[1].ranges is not a list',
      'introduced is a number',
      'must have exactly one of',
      'unknown type "UNKNOWN"',
      'ranges[2] has no usable events',
      'affected[3].package.name is missing',
      'references[1] has no url',
      '"database_specific" is not an object',
      'credits[1] has no name',
    ]) {
      expect(text).toContain(expected);
    }
    expect(warnings.every((w) => w.startsWith('test (TEST-1): '))).toBe(true);
  });

  it('keeps GIT-only affected entries and warns about a GIT range without repo', () => {
    const { record, warnings } = parseOsvRecord(
      {
        ...base,
        affected: [{ ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }, { fixed: 'def' }] }] }],
      },
      'test',
    );
    expect(record.affected).toHaveLength(1);
    expect(warnings.join()).toMatch(/GIT range without "repo"/);
  });

  it('keeps a withdrawn record and notes timestamps that are not RFC 3339', () => {
    const { record, warnings } = parseOsvRecord(
      { ...base, withdrawn: '2024-02-01T00:00:00Z', published: 'yesterday', affected: [] },
      'test',
    );
    expect(record.withdrawn).toBe('2024-02-01T00:00:00Z');
    expect(record.published).toBe('yesterday');
    expect(warnings.join()).toMatch(/"published" "yesterday" is not an RFC 3339 timestamp/);
    expect(warnings.join()).not.toMatch(/cannot match any package/);
  });

  it('warns when a record can match nothing', () => {
    expect(parseOsvRecord(base, 'test').warnings.join()).toMatch(/cannot match any package/);
  });

  it('survives deeply nested free-form data', () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    const text = `{"id":"DEEP-1","modified":"2024-01-01T00:00:00Z","database_specific":${deep}}`;
    let outcome: unknown;
    try {
      outcome = parseOsvJson(text, 'deep').record.id;
    } catch (error) {
      outcome = error;
    }
    expect(outcome === 'DEEP-1' || outcome instanceof CeranaError).toBe(true);
  });
});
