import type { Readable } from 'node:stream';

/** An OCI platform, as in image indexes and `--platform os/arch[/variant]`. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface HistoryEntry {
  created?: string;
  createdBy: string;
  comment?: string;
  /** True for instructions that produced no layer (ENV, CMD, ...). */
  emptyLayer: boolean;
}

export interface Healthcheck {
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  retries?: number;
}

/** The parts of an OCI/Docker image config a security scanner reads. */
export interface ImageConfig {
  created?: string;
  author?: string;
  platform: Platform;
  user: string;
  env: string[];
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  exposedPorts: string[];
  volumes: string[];
  labels: Record<string, string>;
  stopSignal?: string;
  healthcheck?: Healthcheck;
  history: HistoryEntry[];
  /** rootfs.diff_ids, bottom layer first. */
  diffIds: string[];
}

export interface Layer {
  /** Digest of the blob as stored/transported (compressed for registries, may equal diffId). */
  digest: string;
  /** sha256 of the uncompressed tar; the cache key of the layer's facts. */
  diffId: string;
  /** Size of the stored blob in bytes (-1 when unknown). */
  size: number;
  mediaType: string;
  /**
   * False for generated layers (`dir:`) whose diffId names the source, not the tar stream:
   * the scanner neither verifies the stream against it nor caches facts under it. Absent = true.
   */
  cacheable?: boolean;
  /**
   * A digest the source guarantees the stream's content matches, so the scanner does not hash
   * the decompressed tar a second time: the diffId itself where the producer computed it (the
   * Docker daemon does on build, pull and load), or the stored blob's digest where the source
   * checks the blob while it is read (the stream then fails before its end on a mismatch).
   * Unset: the scanner hashes the decompressed tar and compares it with diffId. Either way the
   * facts cache is keyed by a verified digest, never by an unchecked claim.
   */
  verifiedDigest?: string;
  /** The decompressed tar stream. Each call opens a fresh stream. */
  open(): Promise<Readable>;
}

export interface Image {
  /** The reference the user gave, normalized (scheme included). */
  ref: string;
  /** Manifest digest where there is one, else the config digest (image ID). */
  digest: string;
  /** Digest of the config blob (the Docker image ID). */
  configDigest: string;
  /** Repository digests (`name@sha256:...`) known for this image. */
  repoDigests: string[];
  platform: Platform;
  config: ImageConfig;
  layers: Layer[];
  /** Releases temporary resources (spooled exports, open files). Idempotent. */
  close(): Promise<void>;
}

export interface Credentials {
  username: string;
  password: string;
}

/** Receives transfer progress; the CLI draws it on a TTY and ignores it otherwise. */
export interface ProgressSink {
  start(id: string, label: string, total: number): void;
  advance(id: string, bytes: number): void;
  done(id: string): void;
}

export interface SourceOptions {
  platform?: Platform;
  credentials?: Credentials;
  /** Allow plain HTTP and unverified TLS for non-loopback registries. */
  insecure?: boolean;
  /** Where sources may spool temporary data and caches live. */
  cacheDir: string;
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Docker config directory (defaults to $DOCKER_CONFIG or ~/.docker). */
  dockerConfigDir?: string;
  /** Docker Engine socket path (defaults to $DOCKER_HOST unix path or /var/run/docker.sock). */
  dockerSocket?: string;
}

export interface ImageSource {
  /** The scheme before the colon in a reference: `docker`, `registry`, `oci`, ... */
  readonly scheme: string;
  open(ref: string, options: SourceOptions): Promise<Image>;
}

/** Type of a tar entry after GNU/PAX extensions have been applied. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export interface TarHeader {
  /** Normalized path relative to the image root, no leading `./` or `/`, never containing `..`. */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Target of a symlink or hard link (hard link targets normalized like `path`). */
  linkname: string;
}
