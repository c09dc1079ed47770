import type { Redirect, Token, Word } from './lex.js';
import { lex } from './lex.js';

/** A word located in the document (offsets already mapped out of any nesting). */
export interface ShellWord {
  value: string;
  /** Document offsets. */
  start: number;
  end: number;
  quoted: boolean;
}

export interface ShellCommand {
  /** Basename of the executed program after wrappers (`sudo`, `env`, ...) are peeled off; '' for none. */
  name: string;
  /** The executed program and its arguments; `argv[0]` is the program word. */
  argv: ShellWord[];
  /** Every word as written, wrappers included. */
  words: ShellWord[];
  /** `NAME=value` prefixes. */
  assignments: ShellWord[];
  redirects: { op: string; target?: ShellWord; body?: string }[];
  /** Wrapper programs peeled off, in order (`sudo`, `env`). */
  wrappers: string[];
  /** The pipeline this command belongs to (itself included) and its position there. */
  pipeline: ShellCommand[];
  pipelineIndex: number;
  /** The operator that precedes the command's pipeline: '', '&&', '||', ';', '&', '\n'. */
  after: string;
  /** 0 for top level; deeper for `$(...)` and `sh -c '...'` scripts. */
  depth: number;
  /** True when the command runs inside a command substitution. */
  substituted: boolean;
  /** True inside `( ... )`: directory changes and `set` options stay local to it. */
  subshell: boolean;
  start: number;
  end: number;
}

/** Maps an offset in lexed text to a document offset. */
export type OffsetMap = (offset: number) => number;

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
  'time',
]);
const SKIP_WHOLE = new Set(['for', 'select', 'case', 'esac', 'function']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox']);
const MAX_DEPTH = 6;

function basename(value: string): string {
  const slash = value.lastIndexOf('/');
  return slash >= 0 ? value.slice(slash + 1) : value;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Programs that run another program, with their options that take a separate value. */
const WRAPPER_VALUE_FLAGS: Record<string, string[]> = {
  nohup: [],
  exec: ['-a'],
  command: [],
  nice: ['-n', '--adjustment'],
  time: ['-f', '-o', '--format', '--output'],
  chronic: [],
  stdbuf: ['-i', '-o', '-e'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  xargs: [
    '-n',
    '-I',
    '-P',
    '-d',
    '-s',
    '-L',
    '-a',
    '-E',
    '--max-args',
    '--max-procs',
    '--delimiter',
    '--arg-file',
  ],
};

/** Removes wrappers such as `sudo -u x`, `env A=1`, `nohup`, `exec` and returns the wrapped argv. */
function peelWrappers(words: ShellWord[]): {
  wrappers: string[];
  argv: ShellWord[];
  assignments: ShellWord[];
} {
  const wrappers: string[] = [];
  const assignments: ShellWord[] = [];
  let rest = words;
  for (let guard = 0; guard < 8 && rest.length > 0; guard++) {
    const head = basename(rest[0]?.value ?? '');
    if (head === 'sudo' || head === 'doas') {
      wrappers.push(head);
      let k = 1;
      while (k < rest.length && (rest[k]?.value ?? '').startsWith('-')) {
        const flag = rest[k]?.value ?? '';
        k += /^-[ugChpr]$/.test(flag) || /^--(user|group|host|prompt|chdir)$/.test(flag) ? 2 : 1;
      }
      rest = rest.slice(k);
    } else if (head === 'env') {
      wrappers.push(head);
      let k = 1;
      while (k < rest.length) {
        const v = rest[k]?.value ?? '';
        if (ASSIGNMENT.test(v)) assignments.push(rest[k] as ShellWord);
        else if (!v.startsWith('-')) break;
        k++;
      }
      rest = rest.slice(k);
    } else if (head in WRAPPER_VALUE_FLAGS) {
      wrappers.push(head);
      const valueFlags = WRAPPER_VALUE_FLAGS[head] ?? [];
      let k = 1;
      while (k < rest.length && (rest[k]?.value ?? '').startsWith('-'))
        k += valueFlags.includes(rest[k]?.value ?? '') ? 2 : 1;
      if (head === 'timeout' && k < rest.length) k++;
      rest = rest.slice(k);
    } else break;
  }
  return { wrappers, argv: rest, assignments };
}

/**
 * Splits shell text into simple commands, recursing into command substitutions and `sh -c`
 * scripts so `sh -c "$(curl ...)"` still shows the `curl`.
 */
export function parseCommands(text: string, map: OffsetMap, depth = 0, substituted = false): ShellCommand[] {
  if (depth > MAX_DEPTH) return [];
  const tokens = lex(text);
  const out: ShellCommand[] = [];
  let words: Word[] = [];
  let redirects: Redirect[] = [];
  let pipeline: ShellCommand[] = [];
  let after = '';
  let pipelineAfter = '';
  let parens = 0;

  const toShellWord = (w: Word): ShellWord => ({
    value: w.value,
    start: map(w.start),
    end: map(Math.max(w.start, w.end - 1)) + 1,
    quoted: w.quoted,
  });

  const nested: ShellCommand[] = [];
  const finishCommand = (): void => {
    let list = words.map(toShellWord);
    // Drop leading shell keywords so `if curl ...; then apt-get ...` yields curl and apt-get.
    while (list.length > 0 && KEYWORDS.has(list[0]?.value ?? '')) list = list.slice(1);
    const raw = words;
    words = [];
    const reds = redirects;
    redirects = [];
    if (list.length === 0 && reds.length === 0) return;
    if (list.length > 0 && SKIP_WHOLE.has(list[0]?.value ?? '')) return;
    let leading = 0;
    while (leading < list.length && ASSIGNMENT.test(list[leading]?.value ?? '')) leading++;
    const peeled = peelWrappers(list.slice(leading));
    const argv = peeled.argv;
    const first = argv[0];
    // `sh -c 'script'`: the script is more commands, positioned inside the quoted word.
    const shellName = first ? basename(first.value) : '';
    const c = SHELLS.has(shellName) ? argv.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w.value)) : -1;
    const script = c >= 0 ? raw[raw.length - argv.length + c + 1] : undefined;
    for (const w of raw) {
      if (w === script) continue;
      for (const sub of w.substitutions) {
        nested.push(...parseCommands(sub.text, (o) => map(sub.start + o), depth + 1, true));
      }
    }
    const command: ShellCommand = {
      name:
        first && !first.value.startsWith('$(') && !first.value.startsWith('`') ? basename(first.value) : '',
      argv,
      words: list,
      assignments: [...list.slice(0, leading), ...peeled.assignments],
      redirects: reds.map((r) => ({
        op: r.op,
        ...(r.target ? { target: toShellWord(r.target) } : {}),
        ...(r.body !== undefined ? { body: r.body } : {}),
      })),
      wrappers: peeled.wrappers,
      pipeline,
      pipelineIndex: pipeline.length,
      after: pipeline.length === 0 ? pipelineAfter : '|',
      depth,
      substituted,
      subshell: parens > 0,
      start: list[0]?.start ?? map(raw[0]?.start ?? 0),
      end: list[list.length - 1]?.end ?? map(raw[0]?.end ?? 0),
    };
    pipeline.push(command);
    out.push(command);
    if (script) {
      const offset = script.quoted ? 1 : 0;
      const inner = (o: number): number => map(Math.min(script.start + offset + o, script.end - 1));
      out.push(...parseCommands(script.value, inner, depth + 1, substituted));
    }
    out.push(...nested.splice(0));
  };

  for (const token of tokens as Token[]) {
    if (token.kind === 'word') words.push(token);
    else if (token.kind === 'redirect') {
      redirects.push(token);
      if (token.target) {
        for (const sub of token.target.substitutions) {
          nested.push(...parseCommands(sub.text, (o) => map(sub.start + o), depth + 1, true));
        }
      }
      if (token.body !== undefined && (token.op === '<<' || token.op === '<<-')) {
        // A here-document fed to a shell is a script too.
        const head = words.find((w) => !ASSIGNMENT.test(w.value));
        if (head && SHELLS.has(basename(head.value))) {
          const bodyStart = text.indexOf('\n', token.end) + 1;
          nested.push(...parseCommands(token.body, (o) => map(bodyStart + o), depth + 1, substituted));
        }
      }
    } else if (token.op === '|' || token.op === '|&') {
      finishCommand();
    } else {
      finishCommand();
      pipeline = [];
      if (token.op === '(') parens++;
      if (token.op === ')') parens = Math.max(0, parens - 1);
      after = token.op === ')' || token.op === '(' ? after : token.op;
      pipelineAfter = after;
    }
  }
  finishCommand();
  return out;
}
