import { execFileSync } from 'node:child_process';
import type { Finding } from '../../policy/finding.js';
import { bindRules, loadRuleMeta, toFinding } from '../rule.js';
import type { DockerfileModel } from './model.js';

/**
 * Optional ShellCheck pass over RUN scripts, when the `shellcheck` binary (Debian package
 * shellcheck) is installed. All scripts of a Dockerfile go to one ShellCheck process; each
 * reported position is mapped back through the script's offsets to the Dockerfile.
 */
const [meta] = bindRules<DockerfileModel>(loadRuleMeta(new URL('./shellcheck.yaml', import.meta.url)), {
  // Evaluated by runShellCheck below; the rule exists for metadata, docs and SARIF descriptors.
  'CER-DF-199': () => undefined,
}).map((r) => r.meta);

export const shellCheckRule = meta;

export function shellCheckAvailable(): boolean {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

interface Comment {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  level: string;
  code: number;
  message: string;
}

export function runShellCheck(model: DockerfileModel, path: string): Finding[] {
  if (!meta) return [];
  const segments: { firstLine: number; text: string; offsets: number[] }[] = [];
  let script = '#!/bin/sh\n';
  let line = 2;
  for (const ins of model.instructions) {
    if (ins.keyword !== 'RUN' || ins.nonPosixShell) continue;
    for (const s of ins.scripts) {
      segments.push({ firstLine: line, text: s.text, offsets: s.offsets });
      script += `${s.text}\n`;
      line += s.text.split('\n').length;
    }
  }
  if (segments.length === 0) return [];
  let out: string;
  try {
    out = execFileSync('shellcheck', ['-f', 'json1', '-s', 'sh', '-S', 'warning', '-'], {
      input: script,
      encoding: 'utf8',
      timeout: 60_000,
    });
  } catch (error) {
    // ShellCheck exits 1 when it has comments; its JSON is still on stdout.
    out = String((error as { stdout?: string }).stdout ?? '');
    if (out === '') return [];
  }
  const comments = (JSON.parse(out) as { comments: Comment[] }).comments;
  const findings: Finding[] = [];
  for (const c of comments) {
    const seg = [...segments].reverse().find((s) => s.firstLine <= c.line);
    if (!seg) continue;
    const lines = seg.text.split('\n');
    const lineInSeg = c.line - seg.firstLine;
    const before = lines.slice(0, lineInSeg).reduce((n, l) => n + l.length + 1, 0);
    const at = (col: number) => seg.offsets[Math.min(before + col - 1, seg.offsets.length - 1)] ?? 0;
    const start = at(c.column);
    const end = c.endLine === c.line ? at(c.endColumn) : start + 1;
    const span = model.lines.span(start, Math.max(start + 1, end));
    const finding = toFinding(meta, { span, evidence: `SC${c.code}: ${c.message}` }, path);
    if (c.level === 'warning') finding.severity = 'LOW';
    findings.push(finding);
  }
  return findings;
}
