import { describe, expect, it } from 'vitest';
import { MediaType, parseManifestDocument, parsePlatform, selectPlatform } from './manifest.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseManifestDocument', () => {
  it('parses an OCI index and picks a platform, skipping attestations', () => {
    const index = parseManifestDocument(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          {
            mediaType: MediaType.ociManifest,
            digest: digest('a'),
            size: 10,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: MediaType.ociManifest,
            digest: digest('b'),
            size: 10,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: MediaType.ociManifest,
            digest: digest('c'),
            size: 10,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
        ],
      }),
    );
    if (index.kind !== 'index') throw new Error('expected index');
    expect(selectPlatform(index, parsePlatform('linux/arm64')).digest).toBe(digest('b'));
    expect(selectPlatform(index, parsePlatform('linux/amd64')).digest).toBe(digest('a'));
    expect(() => selectPlatform(index, parsePlatform('linux/s390x'))).toThrow(
      expect.objectContaining({ hint: 'available: linux/amd64, linux/arm64/v8; choose one with --platform' }),
    );
  });

  it('parses a Docker v2 manifest and rejects schema 1 and junk', () => {
    const manifest = parseManifestDocument(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: { mediaType: MediaType.dockerConfig, digest: digest('c'), size: 5 },
        layers: [{ mediaType: MediaType.dockerLayerGzip, digest: digest('d'), size: 7 }],
      }),
    );
    expect(manifest).toMatchObject({ kind: 'manifest', layers: [{ digest: digest('d') }] });
    expect(() => parseManifestDocument('{"schemaVersion":1}')).toThrow(/schema 1/);
    expect(() => parseManifestDocument('[]')).toThrow(/not a JSON object/);
    expect(() =>
      parseManifestDocument('{"layers":[],"config":{"digest":"sha256:../../x","size":1}}'),
    ).toThrow(/bad digest/);
  });
});
