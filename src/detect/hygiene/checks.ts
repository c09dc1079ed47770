import { CeranaError } from '../../common/errors.js';
import { redact } from '../secrets/redact.js';
import type { HygieneContext } from './context.js';
import { addStepOf, buildArgsOf, displayUrl, MAX_HISTORY_LINE } from './history.js';
import type { CheckName, HygieneRule } from './rules.js';

/** What an evaluator reports; the rule adds id, title, severity and the rest. */
export interface Hit {
  path?: string;
  /** Where in the image config: `config:User`, `config:Env[2]`, `history[5]`. */
  object?: string;
  layer?: string;
  evidence: string;
}

export type Evaluate = (context: HygieneContext, report: (hit: Hit) => void) => void;

export interface CompiledCheck {
  evaluate: Evaluate;
  /** Globs of the files whose paths and sizes the check needs kept from the file-system pass. */
  fileGlobs: string[];
}

/** Builds a rule's evaluator from its parameters; a bad parameter in rules.yaml fails here, at load. */
export function compileCheck(rule: HygieneRule): CompiledCheck {
  const fileGlobs: string[] = [];
  const evaluate = BUILDERS[rule.check](new Params(rule), fileGlobs);
  return { evaluate, fileGlobs };
}

const BUILDERS: Record<CheckName, (params: Params, fileGlobs: string[]) => Evaluate> = {
  'runs-as-root': () => (context, report) => {
    const user = context.user;
    if (user.root) report({ object: 'config:User', evidence: user.evidence });
  },

  'no-healthcheck': () => (context, report) => {
    const test = context.config.healthcheck?.test ?? [];
    if (test.length === 0)
      report({ object: 'config:Healthcheck', evidence: 'no HEALTHCHECK in the image config' });
    else if (test[0] === 'NONE')
      report({ object: 'config:Healthcheck', evidence: 'HEALTHCHECK NONE disables it' });
  },

  'setuid-files': (params) => {
    const bits = params.integer('bits');
    const exclude = params.optionalInteger('exclude') ?? 0;
    return (context, report) => {
      for (const file of context.fs?.special ?? []) {
        if ((file.mode & bits) === 0 || (file.mode & exclude) !== 0) continue;
        report({
          path: file.path,
          layer: file.layer,
          evidence: `mode ${(file.mode & 0o7777).toString(8).padStart(4, '0')}, owner ${file.uid}:${file.gid}`,
        });
      }
    };
  },

  'world-writable-dirs': () => (context, report) => {
    for (const dir of context.fs?.worldWritableDirs ?? []) {
      report({
        path: dir.path,
        layer: dir.layer,
        evidence: `mode ${(dir.mode & 0o7777).toString(8).padStart(4, '0')}: writable by all, no sticky bit`,
      });
    }
  },

  'installed-software': (params) => {
    const executables = new Set(params.strings('executables'));
    const packages = new Set(params.strings('packages'));
    return (context, report) => {
      const found = (context.fs?.executablesNamed(executables) ?? []).slice(0, 5);
      const installed = (context.packages ?? []).filter((pkg) => packages.has(pkg.name));
      if (found.length === 0 && installed.length === 0) return;
      const parts = [
        ...found.map((file) => `/${file.path}`),
        ...installed.map((pkg) => `package ${pkg.name} ${pkg.version}`),
      ];
      const first = found[0];
      const pkgLocation = installed[0]?.locations[0];
      const hit: Hit = { evidence: parts.join('; ') };
      if (first !== undefined) {
        hit.path = first.path;
        hit.layer = first.layer;
      } else if (pkgLocation !== undefined) {
        hit.path = pkgLocation.path;
        if (pkgLocation.layer !== '') hit.layer = pkgLocation.layer;
      }
      report(hit);
    };
  },

  'package-cache': (params, fileGlobs) => {
    const caches = params.list('caches').map((raw, i) => {
      const cache = new Params(params.rule, raw, `params.caches[${i}]`);
      return {
        name: cache.string('name'),
        match: cache.strings('match'),
        except: cache.optionalStrings('except') ?? [],
      };
    });
    for (const cache of caches) fileGlobs.push(...cache.match);
    return (context, report) => {
      for (const cache of caches) {
        const usage = context.fs?.usage(cache.match, cache.except);
        if (usage === undefined || usage.files === 0) continue;
        report({
          path: usage.root,
          layer: usage.layer,
          evidence: `${cache.name}: ${usage.files} file(s), ${formatSize(usage.bytes)}`,
        });
      }
    };
  },

  'secret-env-names': (params) => {
    const isSecretName = secretNameTest(params);
    return (context, report) => {
      context.config.env.forEach((assignment, i) => {
        const object = `config:Env[${i}]`;
        const eq = assignment.indexOf('=');
        if (eq <= 0) return;
        const name = assignment.slice(0, eq);
        const value = assignment.slice(eq + 1);
        if (!isSecretName(name) || !holdsValue(value)) return;
        const shown = redact(value);
        if (context.reportedSecrets.has(`${object}\0${shown}`)) return;
        report({ object, evidence: `ENV ${name}=${shown}` });
      });
    };
  },

  'secret-build-args': (params) => {
    const isSecretName = secretNameTest(params);
    return (context, report) => {
      // Every RUN after an ARG repeats its value: the first step that shows it is the one reported.
      const seen = new Set<string>();
      context.config.history.forEach((step, i) => {
        const object = `history[${i}]`;
        for (const arg of buildArgsOf(step.createdBy)) {
          if (!isSecretName(arg.name) || !holdsValue(arg.value)) continue;
          const key = `${arg.name}\0${arg.value}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const shown = redact(arg.value);
          if (context.reportedSecrets.has(`${object}\0${shown}`)) continue;
          const hit: Hit = { object, evidence: `build arg ${arg.name}=${shown}` };
          const layer = context.historyLayer(i);
          if (layer !== undefined) hit.layer = layer;
          report(hit);
        }
      });
    };
  },

  'add-remote': () => (context, report) => {
    context.config.history.forEach((step, i) => {
      const add = addStepOf(step.createdBy);
      if (add === undefined || !add.remote) return;
      const what =
        add.urls.length > 0
          ? add.urls.map(displayUrl).join(', ')
          : 'a URL (the legacy builder records only the downloaded content hash)';
      historyHit(context, report, i, `ADD ${what} to ${add.destination}`);
    });
  },

  'add-local': () => (context, report) => {
    context.config.history.forEach((step, i) => {
      const add = addStepOf(step.createdBy);
      // ADD of a root file system tarball at / is how base images are made.
      if (add === undefined || !add.local || add.destination === '/') return;
      historyHit(context, report, i, `ADD of local content to ${add.destination}`);
    });
  },

  'pipe-to-shell': (params) => {
    const patterns = params.strings('patterns').map((source) => params.regex(source));
    return (context, report) => {
      context.config.history.forEach((step, i) => {
        const line = step.createdBy.slice(0, MAX_HISTORY_LINE);
        for (const pattern of patterns) {
          const match = pattern.exec(line);
          if (match === null) continue;
          historyHit(context, report, i, clip(match[0]));
          return;
        }
      });
    };
  },

  'exposes-port': (params) => {
    const ports = new Set(params.strings('ports'));
    return (context, report) => {
      for (const port of context.config.exposedPorts) {
        const normalized = port.includes('/') ? port.toLowerCase() : `${port}/tcp`;
        if (ports.has(normalized)) report({ object: 'config:ExposedPorts', evidence: `EXPOSE ${port}` });
      }
    };
  },

  'eol-os': () => (context, report) => {
    const os = context.os;
    if (os?.eol !== true) return;
    report({
      path: os.source,
      evidence: `${os.prettyName}: security support ended${os.eolDate ? ` on ${os.eolDate}` : ''}`,
    });
  },
};

function historyHit(
  context: HygieneContext,
  report: (hit: Hit) => void,
  index: number,
  evidence: string,
): void {
  const hit: Hit = { object: `history[${index}]`, evidence };
  const layer = context.historyLayer(index);
  if (layer !== undefined) hit.layer = layer;
  report(hit);
}

function secretNameTest(params: Params): (name: string) => boolean {
  const match = params.regex(params.string('match'));
  const ignore = new Set(params.optionalStrings('ignore') ?? []);
  return (name) => {
    const upper = name.toUpperCase();
    return !ignore.has(upper) && match.test(upper);
  };
}

/** An actual value: not empty, not a reference to another variable, not a path to a mounted secret. */
function holdsValue(value: string): boolean {
  const v = value.trim();
  if (v === '' || v === '""' || v === "''") return false;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v)) return false;
  return !/^\/(run|var\/run)\/secrets\//.test(v);
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Typed access to a rule's `params`, failing with the rule id and parameter name. */
class Params {
  private readonly values: Record<string, unknown>;

  constructor(
    readonly rule: HygieneRule,
    values: unknown = rule.params,
    private readonly prefix = 'params',
  ) {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) this.fail('', 'a mapping');
    this.values = values as Record<string, unknown>;
  }

  string(key: string): string {
    const value = this.values[key];
    if (typeof value !== 'string' || value === '') return this.fail(key, 'a non-empty string');
    return value;
  }

  strings(key: string): string[] {
    return this.optionalStrings(key) ?? this.fail(key, 'a list of strings');
  }

  optionalStrings(key: string): string[] | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      return this.fail(key, 'a list of strings');
    return value as string[];
  }

  list(key: string): unknown[] {
    const value = this.values[key];
    return Array.isArray(value) ? value : this.fail(key, 'a list');
  }

  integer(key: string): number {
    return this.optionalInteger(key) ?? this.fail(key, 'an integer');
  }

  optionalInteger(key: string): number | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    return Number.isSafeInteger(value) ? (value as number) : this.fail(key, 'an integer');
  }

  regex(source: string): RegExp {
    try {
      return new RegExp(source, 'i');
    } catch (error) {
      return this.fail('', `valid regexes (${(error as Error).message})`);
    }
  }

  private fail(key: string, what: string): never {
    throw new CeranaError(
      'INTERNAL',
      `hygiene rule ${this.rule.id}: ${this.prefix}${key ? `.${key}` : ''} must be ${what}`,
    );
  }
}
