import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { epssFor, kevFor, loadThreatIntel, parseEpssCsv, parseKevCatalog } from './threat-intel.js';

const fixtures = new URL('../../test/policy/fixtures/', import.meta.url);

describe('threat intel', () => {
  it('reads the KEV catalog and EPSS CSV formats', () => {
    const intel = loadThreatIntel({
      kev: new URL('kev.json', fixtures).pathname,
      epss: new URL('epss.csv', fixtures).pathname,
    });
    expect(intel.kevVersion).toBe('2026.11.20');
    expect(intel.epssModel).toBe('v2025.03.14');
    expect(intel.kev.size).toBe(2);
    expect(kevFor(intel, { id: 'DLA-1', aliases: ['cve-2024-3094'] })?.dateAdded).toBe('2024-04-01');
    expect(epssFor(intel, { id: 'GHSA-x', aliases: ['CVE-2024-0001', 'CVE-2023-4911'] })).toBe(0.5);
    expect(epssFor(intel, { id: 'CVE-2099-1', aliases: [] })).toBe(0);
  });

  it('rejects files of the wrong shape with the line', () => {
    expect(() => parseKevCatalog('{"vulns": []}')).toThrow(/not a KEV catalog/);
    expect(() => parseEpssCsv('#model_version:x\ncve,score\n')).toThrow(/:2: expected header/);
    const csv = readFileSync(new URL('epss.csv', fixtures), 'utf8');
    expect(() => parseEpssCsv(`${csv}CVE-2024-9,1.7,0.2\n`)).toThrow(/:6: bad row/);
  });
});
