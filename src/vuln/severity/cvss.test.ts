import { describe, expect, it } from 'vitest';
import { parseCvss, ratingOf } from './cvss.js';

function base(vector: string): number {
  const parsed = parseCvss(vector);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.score.base;
}

describe('CVSS v3.x base scores', () => {
  // The vulnerabilities scored in FIRST's "CVSS v3.1: Examples" document, with their published base scores.
  const examples: [string, string, number][] = [
    ['CVE-2013-1937 phpMyAdmin XSS', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVE-2013-0375 MySQL', 'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVE-2014-3566 SSLv3 POODLE', 'AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
    ['CVE-2012-1516 VMware guest to host', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ['CVE-2009-0783 Tomcat', 'AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2],
    ['CVE-2012-0384 Cisco IOS', 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2015-1098 iWork', 'AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
    ['CVE-2014-0160 Heartbleed', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
    ['CVE-2014-6271 Shellshock', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVE-2008-1447 DNS cache poisoning', 'AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8],
    ['CVE-2014-2005 Sophos full disk encryption', 'AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8],
    ['CVE-2010-0467 Joomla directory traversal', 'AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8],
    ['CVE-2012-1342 Cisco ASA ACL bypass', 'AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N', 5.8],
    ['CVE-2014-9253 DokuWiki stored XSS', 'AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', 5.4],
    ['CVE-2011-1265 Bluetooth stack', 'AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2016-1645 Chrome PDFium', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2016-0128 Badlock', 'AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N', 6.8],
  ];
  for (const [name, metrics, score] of examples) {
    it(`${name}: ${score}`, () => {
      expect(base(`CVSS:3.1/${metrics}`)).toBe(score);
      expect(base(`CVSS:3.0/${metrics}`)).toBe(score);
    });
  }

  it('keeps the base score apart from temporal and environmental metrics', () => {
    const parsed = parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C');
    expect(parsed.ok && parsed.score).toMatchObject({ base: 9.8, rating: 'CRITICAL', version: '3.1' });
    expect(parsed.ok && parsed.score.overall).toBeLessThan(9.8);
  });
});

describe('CVSS v2 base scores', () => {
  // Examples from FIRST's "A Complete Guide to the Common Vulnerability Scoring System Version 2.0".
  it.each([
    ['AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8], // CVE-2002-0392 Apache chunked encoding
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10], // CVE-2003-0818 Microsoft ASN.1
    ['AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2], // CVE-2003-0062 NOD32
  ])('%s: %d', (vector, score) => {
    expect(base(vector)).toBe(score);
    expect(base(`(${vector})`)).toBe(score);
  });
});

describe('CVSS v4.0 scores', () => {
  // Scores as FIRST's v4.0 calculator (and GitHub's advisory pages) give them.
  it.each([
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
    ['AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.7],
    ['AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 6.9],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', 8.7],
    ['AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.3],
    ['AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.2],
  ])('%s: %d', (metrics, score) => {
    expect(base(`CVSS:4.0/${metrics}`)).toBe(score);
  });

  it('scores threat metrics apart from the base (CVSS-BT)', () => {
    const parsed = parseCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U');
    expect(parsed.ok && parsed.score).toMatchObject({ base: 9.3, overall: 8.1, nomenclature: 'CVSS-BT' });
  });
});

describe('vector validation', () => {
  it.each([
    ['', 'empty'],
    ['garbage', 'not a CVSS vector'],
    ['CVSS:3.1/AV:N', 'missing'],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV cannot be "X"'],
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'set twice'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', 'unknown metric'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', 'unknown metric ""'],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'not a CVSS vector'],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H', 'unknown metric "C"'],
    [`CVSS:3.1/${'AV:N/'.repeat(100)}`, 'too long'],
  ])('rejects %j', (vector, message) => {
    const parsed = parseCvss(vector);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });
});

describe('ratings', () => {
  it('follows the v3/v4 bands and the v2 bands', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map((s) => ratingOf(s, '3.1'))).toEqual([
      'NONE',
      'LOW',
      'LOW',
      'MEDIUM',
      'MEDIUM',
      'HIGH',
      'HIGH',
      'CRITICAL',
      'CRITICAL',
    ]);
    expect([0, 3.9, 4, 6.9, 7, 10].map((s) => ratingOf(s, '2.0'))).toEqual([
      'LOW',
      'LOW',
      'MEDIUM',
      'MEDIUM',
      'HIGH',
      'HIGH',
    ]);
  });
});
