import { describe, expect } from 'vitest';
import { scanDockerfile } from '../../src/config/dockerfile/scan.js';
import { shellCheckAvailable, shellCheckRule } from '../../src/config/dockerfile/shellcheck.js';
import { requireIntegration } from '../support/integration.js';

/** ShellCheck (Debian package shellcheck) over RUN scripts, positions mapped back into the Dockerfile. */
const test = requireIntegration('shellcheck', shellCheckAvailable());

describe('ShellCheck on RUN', () => {
  test('flags the fail example and accepts the pass example', () => {
    for (const text of shellCheckRule?.examples.fail ?? []) {
      expect(
        scanDockerfile('Dockerfile', text, { shellcheck: true }).some((f) => f.id === 'CER-DF-199'),
        text,
      ).toBe(true);
    }
    for (const text of shellCheckRule?.examples.pass ?? []) {
      expect(
        scanDockerfile('Dockerfile', text, { shellcheck: true }).filter((f) => f.id === 'CER-DF-199'),
        text,
      ).toEqual([]);
    }
  });

  test('maps positions through continuations and here-documents', () => {
    const text =
      'FROM debian:12\nRUN echo start && \\\n    rm -rf $DIR/* && \\\n    true\nRUN <<EOF\nset -e\nrm -rf $B/*\nEOF\n';
    const hits = scanDockerfile('Dockerfile', text, { shellcheck: true }).filter(
      (f) => f.id === 'CER-DF-199',
    );
    const at = hits.map((h) => [h.location.line, h.location.column, h.evidence?.slice(0, 6)]);
    expect(at).toContainEqual([3, 12, 'SC2115']);
    expect(at).toContainEqual([7, 8, 'SC2115']);
  });
});
