import { CeranaError } from '../../common/errors.js';
import { lex } from '../dockerfile/shell/lex.js';
import type { Span } from '../position.js';
import { LineIndex } from '../position.js';
import { entries, type PNode, parseYaml, plain } from '../yaml/tree.js';

/**
 * Docker daemon settings from `daemon.json` or from dockerd flags (a systemd unit's ExecStart,
 * DOCKER_OPTS in /etc/default/docker), keyed by daemon.json names so one rule set reads both.
 */
export interface Setting {
  value: unknown;
  span: Span;
  file: string;
}

export type DaemonSettings = Map<string, Setting>;

export function settingsFromJson(path: string, text: string): DaemonSettings {
  const root = parseYaml(path, text)[0]?.root;
  if (!root || root.kind !== 'map')
    throw new CeranaError('INPUT', `${path}: daemon.json must be a JSON object`);
  return new Map(
    entries(root).map((e) => [e.key, { value: plain(e.value as PNode), span: e.keySpan, file: path }]),
  );
}

/** Flags whose daemon.json key is a list (the flag repeats). */
const LIST_KEYS: Record<string, string> = {
  'insecure-registry': 'insecure-registries',
  host: 'hosts',
  H: 'hosts',
  'authorization-plugin': 'authorization-plugins',
  'default-ulimit': 'default-ulimits',
  'registry-mirror': 'registry-mirrors',
  'storage-opt': 'storage-opts',
  'log-opt': 'log-opts',
  'exec-opt': 'exec-opts',
  dns: 'dns',
};
const ALIASES: Record<string, string> = { D: 'debug', l: 'log-level', s: 'storage-driver', G: 'group' };

/** Extracts dockerd arguments from a unit file, an env file or a plain command line. */
export function settingsFromFlags(path: string, text: string): DaemonSettings {
  const settings: DaemonSettings = new Map();
  const lines = new LineIndex(text);
  for (let line = 1; line <= lines.lineCount; line++) {
    const raw = lines.lineText(line);
    const m = /^\s*(?:ExecStart=|DOCKER_OPTS=|OPTIONS=)?(.*)$/.exec(raw);
    const body = m?.[1] ?? '';
    if (!/dockerd|^\s*["']?--|^\s*DOCKER_OPTS=|^\s*OPTIONS=/.test(raw)) continue;
    const offset = lines.offset(line - 1, raw.length - body.length);
    const words = lex(body.replace(/^["']|["']$/g, ' ')).flatMap((t) => (t.kind === 'word' ? [t] : []));
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      if (!w) continue;
      const flag = /^--?([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/.exec(w.value);
      if (!flag) continue;
      const name = ALIASES[flag[1] ?? ''] ?? flag[1] ?? '';
      let value: unknown = flag[2];
      if (value === undefined) {
        const next = words[k + 1]?.value;
        const boolean =
          !LIST_KEYS[name] &&
          ![
            'log-level',
            'storage-driver',
            'userns-remap',
            'log-driver',
            'seccomp-profile',
            'tlscacert',
            'tlscert',
            'tlskey',
            'data-root',
            'ip',
            'bip',
            'cgroup-parent',
            'group',
          ].includes(name);
        if (boolean || next === undefined || next.startsWith('-')) value = true;
        else {
          value = next;
          k++;
        }
      }
      if (value === 'true') value = true;
      if (value === 'false') value = false;
      const span = lines.span(offset + w.start, offset + w.end);
      const key = LIST_KEYS[name];
      if (key) {
        const prev = settings.get(key);
        settings.set(key, {
          value: [...((prev?.value as unknown[]) ?? []), value],
          span: prev?.span ?? span,
          file: path,
        });
      } else settings.set(name, { value, span, file: path });
    }
  }
  return settings;
}
