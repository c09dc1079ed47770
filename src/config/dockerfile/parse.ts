import type { Instruction as AstInstruction, Flag, Property } from 'dockerfile-ast';
import { DockerfileParser } from 'dockerfile-ast';
import { CeranaError } from '../../common/errors.js';
import { LineIndex, type Span } from '../position.js';
import type {
  DockerfileModel,
  FromImage,
  Instruction,
  InstructionFlag,
  KeyValue,
  Located,
  Stage,
} from './model.js';
import { parseCommands, type ShellCommand } from './shell/commands.js';

/** The LSP-style range dockerfile-ast reports (0-based). */
interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

type HeredocSource = { getHeredocs?: () => { getName(): string; getContentRange(): Range | null }[] };

const KNOWN = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** A problem that makes the file unbuildable; reported as an error with its position, not a finding. */
export class DockerfileSyntaxError extends CeranaError {
  constructor(
    readonly path: string,
    readonly span: Span,
    detail: string,
  ) {
    super('INPUT', `${path}:${span.line}:${span.column}: ${detail}`, { hint: 'fix the Dockerfile syntax' });
  }
}

export interface DockerfileParseOptions {
  /** Largest Dockerfile read, in bytes (default 4 MiB). */
  maxBytes?: number;
}

export function parseDockerfile(
  path: string,
  text: string,
  options: DockerfileParseOptions = {},
): DockerfileModel {
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  if (text.length > maxBytes) {
    throw new CeranaError('LIMIT', `${path}: Dockerfile is larger than ${maxBytes} bytes`, {
      hint: 'raise the limit with --max-file-size',
    });
  }
  if (text.includes('\u0000')) {
    throw new DockerfileSyntaxError(
      path,
      { line: 1, column: 1, endLine: 1, endColumn: 2 },
      'binary content, not a Dockerfile',
    );
  }
  const lines = new LineIndex(text);
  const ast = DockerfileParser.parse(text);
  const span = (range: Range): Span => ({
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  });
  const escapeChar = ast.getEscapeCharacter();

  const model: DockerfileModel = {
    path,
    text,
    lines,
    escape: escapeChar,
    directives: ast
      .getDirectives()
      .map((d) => ({ name: d.getName(), value: d.getValue(), span: span(d.getRange()) })),
    comments: ast.getComments().map((c) => ({ text: c.getContent(), span: span(c.getRange()) })),
    instructions: [],
    globalArgs: [],
    stages: [],
  };

  let shell: string[] = ['/bin/sh', '-c'];
  const build = (ast: AstInstruction, stage: number): Instruction => {
    const keyword = ast.getKeyword().toUpperCase();
    const flags: InstructionFlag[] =
      'getFlags' in ast && typeof ast.getFlags === 'function'
        ? (ast.getFlags() as Flag[]).map((f) => ({
            name: f.getName(),
            value: f.getValue(),
            span: span(f.getRange()),
            options: Object.fromEntries(f.getOptions().map((o) => [o.getName(), o.getValue() ?? ''])),
          }))
        : [];
    const args: Located[] = ast
      .getArguments()
      .map((a) => ({ value: a.getValue(), span: span(a.getRange()) }));
    const argsText = (ast.getArgumentsContent() ?? '').trim();
    const instruction: Instruction = {
      keyword,
      written: ast.getInstruction(),
      span: span(ast.getRange()),
      keywordSpan: span(ast.getInstructionRange()),
      args,
      argsText,
      flags,
      json: parseJsonForm(argsText),
      stage,
      pairs:
        'getProperties' in ast && typeof ast.getProperties === 'function'
          ? (ast.getProperties() as Property[]).map(pair)
          : [],
      commands: [],
      scripts: [],
      heredocs: [],
      nonPosixShell: !isPosixShell(shell),
      variables: [],
    };
    if (keyword !== 'RUN') {
      instruction.variables = ast
        .getVariables()
        .map((v) => ({ value: v.getName(), span: span(v.getNameRange()) }));
    }
    const heredocs = (ast as unknown as HeredocSource).getHeredocs?.() ?? [];
    for (const h of heredocs) {
      const range = h.getContentRange();
      if (!range) continue;
      const start = lines.offset(range.start.line, range.start.character);
      const end = lines.offset(range.end.line, range.end.character);
      instruction.heredocs.push({ name: h.getName(), content: text.slice(start, end), span: span(range) });
    }
    if (keyword === 'SHELL' && instruction.json && instruction.json.length > 0) shell = instruction.json;
    if (keyword === 'FROM') shell = ['/bin/sh', '-c'];
    const shellForm = instruction.json === null && !instruction.nonPosixShell;
    if (shellForm && ['RUN', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK'].includes(keyword)) {
      instruction.commands = shellCommands(ast, instruction, keyword === 'HEALTHCHECK');
    }
    if (keyword === 'ONBUILD') {
      const trigger = (
        ast as unknown as { getTriggerInstruction(): AstInstruction | null }
      ).getTriggerInstruction();
      if (trigger) instruction.trigger = build(trigger, stage);
    }
    return instruction;
  };

  const pair = (p: Property): KeyValue => {
    const valueRange = p.getValueRange();
    return {
      name: p.getName(),
      value: p.getValue(),
      nameSpan: span(p.getNameRange()),
      valueSpan: valueRange ? span(valueRange) : null,
      hasEquals: p.getAssignmentOperator() !== null,
    };
  };

  /** Maps the RUN argument text to commands, keeping document offsets through continuations. */
  const shellCommands = (
    ast: AstInstruction,
    instruction: Instruction,
    healthcheck: boolean,
  ): ShellCommand[] => {
    const range = ast.getArgumentsRange();
    if (!range) return [];
    const flagEnd = instruction.flags.reduce(
      (max, f) => Math.max(max, lines.offset(f.span.endLine - 1, f.span.endColumn - 1)),
      lines.offset(range.start.line, range.start.character),
    );
    let start = flagEnd;
    const end = lines.offset(range.end.line, range.end.character);
    if (healthcheck) {
      const m = /^\s*CMD\s+/i.exec(text.slice(start, end));
      if (!m) return [];
      start += m[0].length;
    }
    if (instruction.heredocs.length > 0) return heredocCommands(start, instruction);
    const { logical, offsets } = joinContinuations(text, start, end, escapeChar);
    instruction.scripts.push({ text: logical, offsets });
    return parseCommands(logical, (o) => offsets[Math.min(o, offsets.length - 1)] ?? end);
  };

  const heredocCommands = (start: number, instruction: Instruction): ShellCommand[] => {
    const lineEnd = text.indexOf('\n', start);
    const first = text.slice(start, lineEnd < 0 ? text.length : lineEnd);
    const commands = parseCommands(first, (o) => start + o).filter((c) => c.name !== '');
    const head = commands.find((c) => c.name !== '');
    // `RUN <<EOF` and `RUN <<EOF bash` run the document as a script; `RUN python3 <<EOF` does not.
    if (head && !isPosixShell([head.name])) return commands;
    for (const doc of instruction.heredocs) {
      const docStart = lines.offset(doc.span.line - 1, doc.span.column - 1);
      instruction.scripts.push({
        text: doc.content,
        offsets: Array.from({ length: doc.content.length + 1 }, (_, i) => docStart + i),
      });
      commands.push(...parseCommands(doc.content, (o) => docStart + o));
    }
    return commands;
  };

  let stageIndex = -1;
  for (const astInstruction of ast.getInstructions()) {
    const keyword = astInstruction.getKeyword().toUpperCase();
    if (!KNOWN.has(keyword)) {
      throw new DockerfileSyntaxError(
        path,
        span(astInstruction.getInstructionRange()),
        `unknown instruction ${astInstruction.getInstruction()}`,
      );
    }
    if (keyword === 'FROM') stageIndex++;
    else if (stageIndex < 0 && keyword !== 'ARG') {
      throw new DockerfileSyntaxError(
        path,
        span(astInstruction.getInstructionRange()),
        `${keyword} before the first FROM (only ARG may come first)`,
      );
    }
    const instruction = build(astInstruction, stageIndex);
    model.instructions.push(instruction);
    if (stageIndex < 0) {
      model.globalArgs.push(instruction);
      continue;
    }
    if (keyword === 'FROM') {
      if (instruction.args.length === 0)
        throw new DockerfileSyntaxError(path, instruction.span, 'FROM needs an image');
      const stage: Stage = {
        index: stageIndex,
        from: fromImage(instruction, model.stages),
        fromInstruction: instruction,
        instructions: [],
      };
      model.stages.push(stage);
    }
    model.stages[stageIndex]?.instructions.push(instruction);
  }
  if (model.stages.length === 0) {
    throw new DockerfileSyntaxError(
      path,
      { line: 1, column: 1, endLine: 1, endColumn: 1 },
      'no FROM instruction',
    );
  }
  return model;
}

function isPosixShell(shell: readonly string[]): boolean {
  const program = (shell[0] ?? '').split(/[\\/]/).pop()?.toLowerCase() ?? '';
  return ['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox'].includes(program);
}

/** JSON exec form: a JSON array of strings; anything else is shell form. */
export function parseJsonForm(args: string): string[] | null {
  if (!args.startsWith('[') || !args.endsWith(']')) return null;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  } catch {
    return null;
  }
}

function fromImage(instruction: Instruction, stages: Stage[]): FromImage {
  const [image, asWord, alias] = instruction.args;
  const value = image?.value ?? '';
  const at = value.indexOf('@');
  const beforeDigest = at >= 0 ? value.slice(0, at) : value;
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const isAs = asWord?.value.toLowerCase() === 'as';
  const parent = stages.find((s) => s.from.alias?.value.toLowerCase() === value.toLowerCase());
  return {
    image: image ?? null,
    name,
    tag: hasTag ? beforeDigest.slice(colon + 1) : null,
    digest: at >= 0 ? value.slice(at + 1) : null,
    alias: isAs && alias ? alias : null,
    asKeyword: isAs && asWord ? asWord : null,
    platform: instruction.flags.find((f) => f.name === 'platform') ?? null,
    parentStage: parent ? parent.index : null,
  };
}

/**
 * Joins escaped newlines the way the Dockerfile frontend does (comment lines inside a continued
 * instruction are dropped), keeping for each logical character its offset in the document.
 */
export function joinContinuations(
  text: string,
  start: number,
  end: number,
  escapeChar: string,
): { logical: string; offsets: number[] } {
  let logical = '';
  const offsets: number[] = [];
  let i = start;
  let lineStart = true;
  while (i < end) {
    const c = text[i] as string;
    if (lineStart) {
      const rest = /^[ \t]*/.exec(text.slice(i, Math.min(end, i + 200)))?.[0] ?? '';
      if (text[i + rest.length] === '#') {
        const nl = text.indexOf('\n', i);
        i = nl < 0 || nl >= end ? end : nl + 1;
        continue;
      }
      lineStart = false;
    }
    if (c === escapeChar) {
      let k = i + 1;
      while (k < end && (text[k] === ' ' || text[k] === '\t' || text[k] === '\r')) k++;
      if (text[k] === '\n') {
        i = k + 1;
        lineStart = true;
        continue;
      }
    }
    logical += c;
    offsets.push(i);
    if (c === '\n') lineStart = true;
    i++;
  }
  offsets.push(end);
  return { logical, offsets };
}
