import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { CeranaError } from '../common/errors.js';

/**
 * Helm charts are templates, not manifests. With a `helm` binary on PATH a chart is rendered by
 * `helm template` and the output scanned; without one the user is told how to render it.
 */
export function helmAvailable(): boolean {
  try {
    execFileSync('helm', ['version', '--short'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export function renderChart(chartDir: string, valuesFiles: string[]): string {
  const args = ['template', basename(chartDir), chartDir, ...valuesFiles.flatMap((v) => ['--values', v])];
  try {
    return execFileSync('helm', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr =
      String((error as { stderr?: string }).stderr ?? '')
        .trim()
        .split('\n')[0] ?? '';
    throw new CeranaError('INPUT', `${chartDir}: helm template failed: ${stderr}`, {
      hint: 'check the chart and values files',
    });
  }
}

export function unrenderedChartMessage(chartDir: string): string {
  return `Helm chart not rendered (no helm on PATH): run \`helm template ${basename(chartDir)} ${chartDir} > rendered.yaml\` and scan rendered.yaml`;
}
