import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CeranaError, isCeranaError } from '../common/errors.js';
import type { Finding } from '../policy/finding.js';
import { compareFindings } from '../policy/finding.js';
import { scanCompose } from './compose/scan.js';
import { type ConfigType, composeOrder, detectType } from './detect.js';
import { scanDockerDaemon } from './docker-daemon/scan.js';
import { scanDockerInspect } from './docker-inspect/scan.js';
import { DockerfileSyntaxError } from './dockerfile/parse.js';
import { scanDockerfile } from './dockerfile/scan.js';
import { helmAvailable, renderChart, unrenderedChartMessage } from './helm.js';
import { type K8sObject, parseManifests } from './kubernetes/objects.js';
import type { PssLevel } from './kubernetes/pss/index.js';
import { scanKubernetes } from './kubernetes/scan.js';
import { applyInline, applySuppressionFile, parseSuppressionFile } from './suppress/suppress.js';
import { ConfigSyntaxError } from './yaml/tree.js';

export type { ConfigType } from './detect.js';
export { CONFIG_TYPES } from './detect.js';

export interface ScanConfigOptions {
  /** Force every file to this type instead of detecting it. */
  type?: ConfigType;
  /** `v1.N` or `latest`. */
  pssVersion?: string;
  pssLevel?: PssLevel;
  /** Apply PSS user-namespace relaxations (clusters with UserNamespacesPodSecurityStandards). */
  userNamespaces?: boolean;
  /** Active Compose profiles. */
  profiles?: string[];
  /** Variables for Compose interpolation (the CLI passes process.env); `.env` beside the files is read too. */
  env?: Record<string, string | undefined>;
  /** YAML suppression file (`suppressions: [{id, reason, path?, object?, expires?}]`). */
  suppressionsFile?: string;
  /** Today's date (YYYY-MM-DD) for suppression expiry; defaults to the current UTC date. */
  today?: string;
  /** Largest file read, in bytes (default 4 MiB). */
  maxFileSize?: number;
  /** Run ShellCheck over RUN scripts (the `shellcheck` binary must be installed). */
  shellcheck?: boolean;
  /** Values files for `helm template` when charts are scanned (needs the `helm` binary). */
  helmValues?: string[];
}

export interface ConfigError {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface ScanConfigResult {
  findings: Finding[];
  errors: ConfigError[];
  /** Files scanned, with their detected type. */
  files: { path: string; type: ConfigType }[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'vendor', '.terraform']);
const MAX_FILES = 100_000;

/** Walks files; Helm chart directories (with Chart.yaml) are collected instead of their templates. */
function walk(path: string, out: string[], explicit: boolean, charts: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    const names = readdirSync(path).sort();
    if (names.includes('Chart.yaml')) {
      charts.push(path);
      return;
    }
    for (const name of names) {
      if (SKIP_DIRS.has(name)) continue;
      if (out.length >= MAX_FILES)
        throw new CeranaError('LIMIT', `more than ${MAX_FILES} files under ${path}`, {
          hint: 'scan a narrower directory',
        });
      walk(join(path, name), out, false, charts);
    }
  } else if (st.isFile()) out.push(explicit ? `!${path}` : path);
}

function toError(path: string, error: unknown): ConfigError {
  if (error instanceof DockerfileSyntaxError || error instanceof ConfigSyntaxError) {
    return { path, message: error.message, line: error.span.line, column: error.span.column };
  }
  if (isCeranaError(error))
    return { path, message: error.hint ? `${error.message} (${error.hint})` : error.message };
  throw error;
}

/**
 * Scans Dockerfiles, Kubernetes manifests, Compose projects and Docker daemon settings under the
 * given files and directories. Input problems become `errors` (with positions when known) so one
 * bad file does not hide the findings of the others.
 */
export function scanConfig(paths: string[], options: ScanConfigOptions = {}): ScanConfigResult {
  const maxBytes = options.maxFileSize ?? 4 * 1024 * 1024;
  const listed: string[] = [];
  const charts: string[] = [];
  for (const p of paths) {
    try {
      walk(p, listed, true, charts);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new CeranaError('NOT_FOUND', `no such file or directory: ${p}`);
      throw error;
    }
  }
  const findings: Finding[] = [];
  const errors: ConfigError[] = [];
  const files: ScanConfigResult['files'] = [];
  const texts = new Map<string, string>();
  const objects: K8sObject[] = [];
  const composeByDir = new Map<string, string[]>();

  for (const entry of listed) {
    const explicit = entry.startsWith('!');
    const path = explicit ? entry.slice(1) : entry;
    const size = statSync(path).size;
    if (size > maxBytes) {
      if (explicit)
        errors.push({
          path,
          message: `file is larger than ${maxBytes} bytes; raise --max-file-size to scan it`,
        });
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const type = options.type ?? detectType(path, text);
    if (!type) {
      if (explicit)
        errors.push({ path, message: 'not a recognized configuration file (use --type to force one)' });
      continue;
    }
    texts.set(path, text);
    files.push({ path, type });
    try {
      if (type === 'dockerfile')
        findings.push(...scanDockerfile(path, text, { maxBytes, shellcheck: options.shellcheck ?? false }));
      else if (type === 'docker-daemon') findings.push(...scanDockerDaemon(path, text));
      else if (type === 'docker-inspect') {
        findings.push(
          ...scanDockerInspect(path, text, {
            version: options.pssVersion,
            level: options.pssLevel,
            userNamespaces: options.userNamespaces,
          }),
        );
      } else if (type === 'kubernetes') objects.push(...parseManifests(path, text));
      else {
        const dir = dirname(path);
        composeByDir.set(dir, [...(composeByDir.get(dir) ?? []), path]);
      }
    } catch (error) {
      errors.push(toError(path, error));
    }
  }

  const helm = charts.length > 0 && helmAvailable();
  for (const chart of charts) {
    if (!helm) {
      errors.push({ path: chart, message: unrenderedChartMessage(chart) });
      continue;
    }
    const rendered = join(chart, '(rendered)');
    try {
      const text = renderChart(chart, options.helmValues ?? []);
      texts.set(rendered, text);
      files.push({ path: rendered, type: 'kubernetes' });
      objects.push(...parseManifests(rendered, text));
    } catch (error) {
      errors.push(toError(chart, error));
    }
  }

  if (objects.length > 0) {
    findings.push(
      ...scanKubernetes(objects, {
        version: options.pssVersion,
        level: options.pssLevel,
        userNamespaces: options.userNamespaces,
      }),
    );
  }
  for (const [dir, list] of composeByDir) {
    const ordered = [...list].sort(composeOrder);
    let dotEnv: string | undefined;
    try {
      dotEnv = readFileSync(join(dir, '.env'), 'utf8');
    } catch {
      dotEnv = undefined;
    }
    try {
      findings.push(
        ...scanCompose(
          ordered.map((p) => ({ path: p, text: texts.get(p) ?? '' })),
          {
            ...(dotEnv !== undefined ? { dotEnv } : {}),
            env: options.env ?? {},
            profiles: options.profiles ?? [],
            readFile: (p) => {
              const text = readFileSync(p, 'utf8');
              texts.set(p, text);
              return text;
            },
            version: options.pssVersion,
            level: options.pssLevel,
            userNamespaces: options.userNamespaces,
          },
        ),
      );
    } catch (error) {
      errors.push(toError(ordered[0] ?? dir, error));
    }
  }

  for (const [path, text] of texts) {
    for (const p of applyInline(findings, path, text))
      errors.push({ path: p.path, line: p.line, message: p.message });
  }
  if (options.suppressionsFile) {
    const rules = parseSuppressionFile(
      options.suppressionsFile,
      readFileSync(options.suppressionsFile, 'utf8'),
    );
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    for (const p of applySuppressionFile(findings, rules, options.suppressionsFile, today))
      errors.push({ path: p.path, message: p.message });
  }
  return { findings: findings.sort(compareFindings), errors, files };
}
