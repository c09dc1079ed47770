/** A module as the Go linker records it: path, version and go.sum hash, maybe replaced. */
export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoModInfo {
  /** The main package's import path (`path` line). */
  path?: string;
  /** The main module (`mod` line); absent for GOPATH builds such as most of Debian's. */
  main?: GoModule;
  deps: GoModule[];
  /** `build` lines: compiler flags, GOOS/GOARCH, VCS revision... */
  settings: { key: string; value: string }[];
}

/**
 * Parses the module information text of a Go binary (debug/buildinfo's format): tab-separated
 * lines `path`, `mod`, `dep`, `=>` (replaces the module on the line before) and `build`.
 * Unknown or malformed lines are skipped, as `go version -m` skips them.
 */
export function parseModInfo(text: string): GoModInfo {
  const info: GoModInfo = { deps: [] as GoModule[], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split('\t');
    const kind = fields[0];
    if (kind === 'path' && fields[1]) {
      info.path = fields[1];
    } else if ((kind === 'mod' || kind === 'dep' || kind === '=>') && fields[1]) {
      const module: GoModule = { path: fields[1], version: fields[2] ?? '' };
      if (fields[3]) module.sum = fields[3];
      if (kind === 'mod') info.main = module;
      else if (kind === 'dep') info.deps.push(module);
      else if (last !== undefined && last.replace === undefined) last.replace = module;
      last = kind === '=>' ? undefined : module;
    } else if (kind === 'build' && fields[1]) {
      const setting = fields.slice(1).join('\t');
      const eq = setting.indexOf('=');
      if (eq > 0) info.settings.push({ key: setting.slice(0, eq), value: setting.slice(eq + 1) });
    }
  }
  return info;
}

/** The Go release a version string names: `go1.21.5 X:boringcrypto` → `1.21.5`. */
export function goRelease(goVersion: string): string {
  return (goVersion.split(/\s+/)[0] ?? '').replace(/^go/, '');
}
