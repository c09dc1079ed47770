/**
 * Docker 20.10 (the daemon here) writes only the legacy `docker save` layout. Docker 25+ writes
 * an OCI image layout plus a manifest.json pointing into it (moby image/tarexport save.go):
 *
 *   blobs/sha256/<diffId hex>   each layer, uncompressed, named by its diffId
 *   blobs/sha256/<config hex>   the image config
 *   blobs/sha256/<v1 json hex>  per-layer legacy v1 JSON (written, referenced by nothing)
 *   blobs/sha256/<manifest hex> an OCI manifest (layers typed application/vnd.oci.image.layer.v1.tar)
 *   index.json                  that manifest, annotated io.containerd.image.name + org.opencontainers.image.ref.name
 *   manifest.json               [{"Config":"blobs/sha256/<hex>","RepoTags":[...],"Layers":["blobs/sha256/<hex>",...]}]
 *   oci-layout, repositories
 *
 * This rebuilds exactly that from a legacy save of the same image, so both layouts hold the very
 * same layer bytes and config.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function writeDocker25Archive(
  legacyTar: string,
  staging: string,
  output: string,
  repoTag: string,
): string {
  const legacy = join(staging, 'legacy');
  const out = join(staging, 'docker25');
  const blobs = join(out, 'blobs', 'sha256');
  mkdirSync(legacy, { recursive: true });
  mkdirSync(blobs, { recursive: true });
  execFileSync('tar', ['-xf', legacyTar, '-C', legacy]);
  const [item] = JSON.parse(readFileSync(join(legacy, 'manifest.json'), 'utf8')) as {
    Config: string;
    Layers: string[];
  }[];
  if (!item) throw new Error('legacy archive lists no image');
  const configBytes = readFileSync(join(legacy, item.Config));
  const configHex = hex(configBytes);
  writeFileSync(join(blobs, configHex), configBytes);
  const config = JSON.parse(configBytes.toString('utf8')) as {
    rootfs: { diff_ids: string[] };
    os: string;
    architecture: string;
  };
  const layers = item.Layers.map((path, i) => {
    const diffIdHex = (config.rootfs.diff_ids[i] as string).slice('sha256:'.length);
    const v1Json = readFileSync(join(legacy, path.replace(/layer\.tar$/, 'json')));
    writeFileSync(join(blobs, hex(v1Json)), v1Json);
    renameSync(join(legacy, path), join(blobs, diffIdHex));
    return { diffIdHex, size: statSync(join(blobs, diffIdHex)).size };
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${configHex}`,
        size: configBytes.length,
        platform: { architecture: config.architecture, os: config.os },
      },
      layers: layers.map((layer) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: `sha256:${layer.diffIdHex}`,
        size: layer.size,
      })),
    }),
  );
  const manifestHex = hex(manifest);
  writeFileSync(join(blobs, manifestHex), manifest);
  const [name, tag] = [
    repoTag.slice(0, repoTag.lastIndexOf(':')),
    repoTag.slice(repoTag.lastIndexOf(':') + 1),
  ];
  writeFileSync(
    join(out, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${manifestHex}`,
          size: manifest.length,
          annotations: {
            'io.containerd.image.name': `docker.io/${repoTag}`,
            'org.opencontainers.image.ref.name': tag,
          },
        },
      ],
    }),
  );
  writeFileSync(
    join(out, 'manifest.json'),
    `${JSON.stringify([
      {
        Config: `blobs/sha256/${configHex}`,
        RepoTags: [repoTag],
        Layers: layers.map((layer) => `blobs/sha256/${layer.diffIdHex}`),
      },
    ])}\n`,
  );
  writeFileSync(join(out, 'oci-layout'), '{"imageLayoutVersion": "1.0.0"}');
  writeFileSync(
    join(out, 'repositories'),
    `${JSON.stringify({ [name]: { [tag]: layers[layers.length - 1]?.diffIdHex } })}\n`,
  );
  execFileSync('tar', [
    '-C',
    out,
    '-cf',
    output,
    'blobs',
    'index.json',
    'manifest.json',
    'oci-layout',
    'repositories',
  ]);
  return `sha256:${manifestHex}`;
}
