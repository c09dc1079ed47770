/**
 * Reading what a build step did from its history `created_by` line. Two builders write them:
 *   legacy:   `/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c #(nop) ADD file:<sha> in /dst`,
 *             `|2 A=1 B=2 /bin/sh -c make` (a RUN that used two build args)
 *   BuildKit: `ENV A=b`, `ADD src /dst # buildkit`, `RUN |2 A=1 B=2 /bin/sh -c make # buildkit`
 */

export interface BuildArg {
  name: string;
  value: string;
}

/** Longest line looked at: history lines are user-controlled and may be huge. */
export const MAX_HISTORY_LINE = 64 * 1024;

const NOP = /^\/bin\/sh -c #\(nop\)\s+/;
const BUILDKIT_SUFFIX = /\s+# buildkit$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The instruction text without the legacy `/bin/sh -c #(nop)` prefix and BuildKit's `# buildkit` suffix. */
export function instructionOf(createdBy: string): string {
  return createdBy.slice(0, MAX_HISTORY_LINE).replace(NOP, '').replace(BUILDKIT_SUFFIX, '').trim();
}

/**
 * Build arguments whose values the line records: a RUN's `|N name=value …` prefix (the builder
 * lists the N args the step saw, space separated and unquoted; a value with spaces cannot be told
 * from the command after it, so each value is one word) and `ARG name=default`.
 */
export function buildArgsOf(createdBy: string): BuildArg[] {
  const text = instructionOf(createdBy);
  const run = /^(?:RUN\s+)?\|(\d{1,4})\s+/.exec(text);
  const words =
    run !== null
      ? text.slice(run[0].length).split(' ').slice(0, Number(run[1]))
      : /^ARG\s/.test(text)
        ? shellWords(text.slice(4))
        : [];
  const args: BuildArg[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0 && NAME.test(word.slice(0, eq))) {
      args.push({ name: word.slice(0, eq), value: word.slice(eq + 1) });
    }
  }
  return args;
}

/** Words as a Dockerfile ARG line splits them: whitespace separated, `"…"`/`'…'` quoting removed. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (const c of text) {
    if (quote !== '') {
      if (c === quote) quote = '';
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export interface AddStep {
  /** URL sources, as far as the line records them (the legacy builder keeps only a content hash). */
  urls: string[];
  remote: boolean;
  /** Local files or directories were added. */
  local: boolean;
  destination: string;
}

const LEGACY_ADD = /^ADD (file|dir|multi):[0-9a-f]{64} in (.+)$/;
const LEGACY_ADD_REMOTE = /^ADD [0-9a-f]{64} in (.+)$/;
const REMOTE_SOURCE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;

/** An ADD step's sources and destination, or undefined when the line is not an ADD. */
export function addStepOf(createdBy: string): AddStep | undefined {
  const text = instructionOf(createdBy);
  const legacy = LEGACY_ADD.exec(text);
  if (legacy !== null)
    return { urls: [], remote: false, local: true, destination: (legacy[2] as string).trim() };
  const legacyRemote = LEGACY_ADD_REMOTE.exec(text);
  if (legacyRemote !== null) {
    return { urls: [], remote: true, local: false, destination: (legacyRemote[1] as string).trim() };
  }
  if (!text.startsWith('ADD ')) return undefined;
  const words = text
    .slice(4)
    .split(/\s+/)
    .filter((word) => word !== '' && !word.startsWith('--'));
  if (words.length < 2) return undefined;
  const destination = words[words.length - 1] as string;
  const sources = words.slice(0, -1);
  const urls = sources.filter((source) => REMOTE_SOURCE.test(source));
  return { urls, remote: urls.length > 0, local: urls.length < sources.length, destination };
}

/** A URL for a report: scheme, host and path, no credentials or query (they may hold tokens). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, '').replace(/\/\/[^@/]*@/, '//');
  }
}
