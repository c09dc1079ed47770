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
