import { isDigest } from '../common/digest.js';
import { CeranaError } from '../common/errors.js';
import { parseJsonDocument } from './manifest.js';
import type { HistoryEntry, ImageConfig } from './types.js';

type JsonObject = Record<string, unknown>;

function object(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseHistory(value: unknown): HistoryEntry[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const record = object(item);
    const entry: HistoryEntry = {
      createdBy: typeof record.created_by === 'string' ? record.created_by : '',
      emptyLayer: record.empty_layer === true,
    };
    const created = optionalString(record.created);
    if (created) entry.created = created;
    const comment = optionalString(record.comment);
    if (comment) entry.comment = comment;
    return entry;
  });
}

/** Parses an OCI / Docker image config blob into the fields a scanner uses. */
export function parseImageConfig(bytes: Buffer | string): ImageConfig {
  const doc = parseJsonDocument(bytes, 'image config');
  const runtime = object(doc.config);
  const rootfs = object(doc.rootfs);
  const diffIds = strings(rootfs.diff_ids);
  for (const diffId of diffIds) {
    if (!isDigest(diffId))
      throw new CeranaError('INPUT', `invalid image config: bad diff_id ${JSON.stringify(diffId)}`);
  }
  const config: ImageConfig = {
    platform: {
      os: typeof doc.os === 'string' ? doc.os : 'linux',
      architecture: typeof doc.architecture === 'string' ? doc.architecture : 'unknown',
    },
    user: typeof runtime.User === 'string' ? runtime.User : '',
    env: strings(runtime.Env),
    entrypoint: strings(runtime.Entrypoint),
    cmd: strings(runtime.Cmd),
    workingDir: typeof runtime.WorkingDir === 'string' ? runtime.WorkingDir : '',
    exposedPorts: Object.keys(object(runtime.ExposedPorts)).sort(),
    volumes: Object.keys(object(runtime.Volumes)).sort(),
    labels: Object.fromEntries(
      Object.entries(object(runtime.Labels)).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    ),
    history: parseHistory(doc.history),
    diffIds,
  };
  const variant = optionalString(doc.variant);
  if (variant) config.platform.variant = variant;
  const created = optionalString(doc.created);
  if (created) config.created = created;
  const author = optionalString(doc.author);
  if (author) config.author = author;
  const stopSignal = optionalString(runtime.StopSignal);
  if (stopSignal) config.stopSignal = stopSignal;
  const healthcheck = object(runtime.Healthcheck);
  if (Array.isArray(healthcheck.Test)) {
    config.healthcheck = { test: strings(healthcheck.Test) };
    if (typeof healthcheck.Interval === 'number') config.healthcheck.intervalNs = healthcheck.Interval;
    if (typeof healthcheck.Timeout === 'number') config.healthcheck.timeoutNs = healthcheck.Timeout;
    if (typeof healthcheck.Retries === 'number') config.healthcheck.retries = healthcheck.Retries;
  }
  return config;
}

/** History entries that produced a layer, aligned with diffIds (index i describes layer i). */
export function layerHistory(config: ImageConfig): (HistoryEntry | undefined)[] {
  const produced = config.history.filter((entry) => !entry.emptyLayer);
  return config.diffIds.map((_, i) => (produced.length === config.diffIds.length ? produced[i] : undefined));
}
