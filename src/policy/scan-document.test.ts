import { describe, expect, it } from 'vitest';
import type { ImageScanResult } from '../scan/image-scan.js';
import type { Finding } from './finding.js';
import { asScanDocument, collectFindings, type ScanDocument } from './scan-document.js';

// `cerana image` results must stay gateable as they are: this stops compiling if they drift apart.
const fromImageScan: (result: ImageScanResult) => ScanDocument = (result) => result;

const finding = (kind: Finding['kind'], id: string): Finding => ({
  kind,
  id,
  aliases: [],
  severity: 'HIGH',
  title: id,
  location: {},
  controls: [],
  references: [],
});

describe('scan documents', () => {
  it('collect findings from the vulnerability report, top level and any detector section', () => {
    const doc = {
      artifact: { ref: 'x' },
      vulnerabilities: { findings: [finding('vulnerability', 'CVE-1')] },
      findings: [finding('misconfiguration', 'CER-1')],
      secrets: { findings: [finding('secret', 'aws'), { not: 'a finding' }] },
      malware: { findings: [finding('malware', 'eicar')] },
      packages: [],
    };
    expect(collectFindings(asScanDocument(doc, 'doc')).map((f) => f.id)).toEqual([
      'CER-1',
      'eicar',
      'aws',
      'CVE-1',
    ]);
    expect(typeof fromImageScan).toBe('function');
  });

  it('rejects documents that are not scan results', () => {
    expect(() => asScanDocument([], 'a.json')).toThrow(/a\.json: not a Cerana scan result/);
    expect(() => asScanDocument({ artifact: { ref: 1 } }, 'b.json')).toThrow(/not a Cerana scan result/);
  });
});
