import { describe, expect, it } from 'vitest';
import type { Package } from '../package.js';
import { formatTimestamp, imagePurl, nameBasedUuid, packageRef } from './model.js';

const pkg = (path: string, osOwned = false): Package => ({
  type: 'npm',
  name: '@s/a',
  version: '1.0.0',
  purl: 'pkg:npm/%40s/a@1.0.0',
  licenses: [],
  locations: [{ path, layer: 'sha256:aa' }],
  osOwned,
});

describe('SBOM identifiers', () => {
  it('names the image as an oci purl', () => {
    const image = {
      ref: 'registry:docker.io/library/Debian:12',
      name: 'Debian',
      repositoryUrl: 'docker.io/library/debian',
      digest: `sha256:${'a'.repeat(64)}`,
      configDigest: `sha256:${'b'.repeat(64)}`,
      repoDigests: [],
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [],
    };
    expect(imagePurl(image)).toBe(
      `pkg:oci/debian@sha256:${'a'.repeat(64)}?arch=amd64&repository_url=docker.io%2Flibrary%2Fdebian`,
    );
  });

  it('gives packages stable references that differ by location and ownership', () => {
    expect(packageRef(pkg('a/package.json'))).toBe(packageRef(pkg('a/package.json')));
    expect(packageRef(pkg('a/package.json'))).toMatch(/^pkg:npm\/%40s\/a@1\.0\.0\?package-id=[0-9a-f]{16}$/);
    expect(packageRef(pkg('a/package.json'))).not.toBe(packageRef(pkg('b/package.json')));
    expect(packageRef(pkg('a/package.json'))).not.toBe(packageRef(pkg('a/package.json', true)));
  });

  it('derives RFC 4122 version 5 UUIDs', () => {
    // Expected value from Python: uuid.uuid5(uuid.NAMESPACE_URL, 'http://example.invalid/').
    expect(nameBasedUuid('http://example.invalid/')).toBe('eb4e4f40-b935-5934-90cc-00346ff4d90a');
    expect(nameBasedUuid('x')).toBe(nameBasedUuid('x'));
    expect(nameBasedUuid('x')).not.toBe(nameBasedUuid('y'));
  });

  it('writes whole-second UTC timestamps', () => {
    expect(formatTimestamp(new Date('2024-05-01T12:00:00.789Z'))).toBe('2024-05-01T12:00:00Z');
  });
});
