import type { LineIndex, Span } from '../position.js';
import type { ShellCommand } from './shell/commands.js';

/** A value with where it was written. */
export interface Located {
  value: string;
  span: Span;
}

export interface InstructionFlag {
  /** Without the leading `--`. */
  name: string;
  value: string | null;
  span: Span;
  /** `--mount=type=cache,target=/x` → { type: 'cache', target: '/x' }. */
  options: Record<string, string>;
}

export interface KeyValue {
  name: string;
  value: string | null;
  nameSpan: Span;
  valueSpan: Span | null;
  /** False for the legacy `ENV key value` form. */
  hasEquals: boolean;
}

export interface Instruction {
  /** Upper-case keyword (`RUN`). */
  keyword: string;
  /** The keyword as written, for casing checks. */
  written: string;
  span: Span;
  keywordSpan: Span;
  /** Arguments after flags, split on whitespace like Docker does; JSON forms keep their brackets. */
  args: Located[];
  /** Arguments after flags with continuations and embedded comments removed. */
  argsText: string;
  flags: InstructionFlag[];
  /** Exec-form arguments when written as a JSON array. */
  json: string[] | null;
  /** Index of the build stage, -1 for the global ARGs before the first FROM. */
  stage: number;
  /** ENV, ARG and LABEL pairs. */
  pairs: KeyValue[];
  /** Commands of a shell-form RUN (also shell-form CMD/ENTRYPOINT/HEALTHCHECK CMD), with nested ones. */
  commands: ShellCommand[];
  /** The shell text a RUN executes (continuations joined, or here-document bodies), with document offsets per character. */
  scripts: { text: string; offsets: number[] }[];
  /** Here-documents (`RUN <<EOF`, `COPY <<EOF /x`). */
  heredocs: { name: string; content: string; span: Span }[];
  /** True when this RUN's shell is not a POSIX shell (SHELL ["powershell", ...]). */
  nonPosixShell: boolean;
  /** For ONBUILD: the wrapped instruction. */
  trigger?: Instruction;
  /** Variable references ($NAME, ${NAME}) outside RUN. */
  variables: Located[];
}

export interface FromImage {
  /** The image argument as written (`docker.io/library/alpine:3.19@sha256:...`). */
  image: Located | null;
  name: string;
  tag: string | null;
  digest: string | null;
  alias: Located | null;
  /** The `AS` keyword as written. */
  asKeyword: Located | null;
  platform: InstructionFlag | null;
  /** Index of an earlier stage this FROM builds on, when the image names one. */
  parentStage: number | null;
}

export interface Stage {
  index: number;
  from: FromImage;
  fromInstruction: Instruction;
  instructions: Instruction[];
}

export interface DockerfileModel {
  path: string;
  text: string;
  lines: LineIndex;
  escape: string;
  directives: { name: string; value: string; span: Span }[];
  comments: { text: string; span: Span }[];
  /** Every instruction in order, global ARGs included. */
  instructions: Instruction[];
  globalArgs: Instruction[];
  stages: Stage[];
}

export function finalStage(model: DockerfileModel): Stage | undefined {
  return model.stages[model.stages.length - 1];
}

export function stageByName(model: DockerfileModel, name: string): Stage | undefined {
  const lower = name.toLowerCase();
  return model.stages.find((s) => s.from.alias?.value.toLowerCase() === lower);
}
