import type { Finding } from '../../policy/finding.js';
import { runRules } from '../rule.js';
import { type DockerfileParseOptions, parseDockerfile } from './parse.js';
import { dockerfileRules } from './rules/index.js';
import { runShellCheck } from './shellcheck.js';

export interface DockerfileScanOptions extends DockerfileParseOptions {
  /** Also run ShellCheck over RUN scripts (needs the `shellcheck` binary). */
  shellcheck?: boolean;
}

/** Parses a Dockerfile and runs every Dockerfile rule over it. */
export function scanDockerfile(path: string, text: string, options: DockerfileScanOptions = {}): Finding[] {
  const model = parseDockerfile(path, text, options);
  const findings = runRules(dockerfileRules, model, path);
  if (options.shellcheck) findings.push(...runShellCheck(model, path));
  return findings;
}
