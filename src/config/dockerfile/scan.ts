import type { Finding } from '../../policy/finding.js';
import { runRules } from '../rule.js';
import { type DockerfileParseOptions, parseDockerfile } from './parse.js';
import { dockerfileRules } from './rules/index.js';

/** Parses a Dockerfile and runs every Dockerfile rule over it. */
export function scanDockerfile(path: string, text: string, options: DockerfileParseOptions = {}): Finding[] {
  const model = parseDockerfile(path, text, options);
  return runRules(dockerfileRules, model, path);
}
