import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import type { Ordering, VersionScheme } from '../../src/vuln/versioning/types.js';

/** Runs a command with `input` on stdin and returns its stdout; rejects on a non-zero exit. */
export function runWithInput(
  command: string,
  args: string[],
  input: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(new Error(`${command} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
    });
    // An oracle that dies early closes its stdin: report that as the failure, not an unhandled EPIPE.
    child.stdin.on('error', reject);
    child.stdin.end(input);
  });
}

/** Reads one -1/0/1 per line, exactly as many as there were pairs. */
export function parseOrderings(output: string, expected: number): Ordering[] {
  const lines = output.split('\n').filter((line) => line !== '');
  expect(lines.length).toBe(expected);
  return lines.map((line) => {
    const n = Number(line.trim());
    if (n !== -1 && n !== 0 && n !== 1) throw new Error(`oracle printed ${JSON.stringify(line)}`);
    return n;
  });
}

/** Asserts the scheme agrees with the oracle on every pair, listing the first disagreements. */
export function expectAgreement(scheme: VersionScheme, pairs: [string, string][], oracle: Ordering[]): void {
  const disagreements: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = scheme.compare(a, b);
    if (ours !== oracle[i]) disagreements.push(`${a} vs ${b}: oracle ${oracle[i]}, ${scheme.name} ${ours}`);
  });
  expect(disagreements.slice(0, 25)).toEqual([]);
}

/** How many pairs the oracle ordered each way: proof that the generator exercises all three outcomes. */
export function outcomeCounts(oracle: Ordering[]): Record<'less' | 'equal' | 'greater', number> {
  return {
    less: oracle.filter((o) => o === -1).length,
    equal: oracle.filter((o) => o === 0).length,
    greater: oracle.filter((o) => o === 1).length,
  };
}

/** One line of a validating oracle: whether each side parses, and their order when both do. */
export interface OracleVerdict {
  validA: boolean;
  validB: boolean;
  order: Ordering | undefined;
}

/**
 * Reads the output of the oracle programs under test/versioning/oracles/: one line per pair,
 * `<1|0> <1|0> <-1|0|1|?>` (is a valid, is b valid, their order when both are).
 */
export function parseVerdicts(output: string, expected: number): OracleVerdict[] {
  const lines = output.split('\n').filter((line) => line !== '');
  expect(lines.length).toBe(expected);
  return lines.map((line) => {
    const [validA, validB, order] = line.trim().split(' ');
    if (order !== '?' && order !== '-1' && order !== '0' && order !== '1') {
      throw new Error(`oracle printed ${JSON.stringify(line)}`);
    }
    return {
      validA: validA === '1',
      validB: validB === '1',
      order: order === '?' ? undefined : (Number(order) as Ordering),
    };
  });
}

/** Asserts the scheme accepts exactly what the oracle accepts, and orders the valid pairs as it does. */
export function expectVerdictAgreement(
  scheme: VersionScheme,
  pairs: [string, string][],
  verdicts: OracleVerdict[],
): void {
  const disagreements: string[] = [];
  pairs.forEach(([a, b], i) => {
    const verdict = verdicts[i];
    if (!verdict) return;
    if (scheme.valid(a) !== verdict.validA)
      disagreements.push(`${JSON.stringify(a)}: oracle valid=${verdict.validA}`);
    if (scheme.valid(b) !== verdict.validB)
      disagreements.push(`${JSON.stringify(b)}: oracle valid=${verdict.validB}`);
    if (verdict.order !== undefined && scheme.valid(a) && scheme.valid(b)) {
      const ours = scheme.compare(a, b);
      if (ours !== verdict.order)
        disagreements.push(`${a} vs ${b}: oracle ${verdict.order}, ${scheme.name} ${ours}`);
    }
  });
  expect(disagreements.slice(0, 25)).toEqual([]);
}

/** Counts of ordered pairs by outcome, and of pairs the oracle rejected. */
export function verdictCounts(
  verdicts: OracleVerdict[],
): Record<'less' | 'equal' | 'greater' | 'invalid', number> {
  const ordered = verdicts.flatMap((v) => (v.order === undefined ? [] : [v.order]));
  return { ...outcomeCounts(ordered), invalid: verdicts.length - ordered.length };
}

/** Tab-separated pairs, one per line: the input every oracle program reads. */
export function pairLines(pairs: [string, string][]): string {
  return pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
}
