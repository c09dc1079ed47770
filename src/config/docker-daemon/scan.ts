import type { Finding } from '../../policy/finding.js';
import { runRules } from '../rule.js';
import { type DaemonContext, daemonRules } from './rules/index.js';
import { settingsFromFlags, settingsFromJson } from './settings.js';

/** `daemon.json` is JSON; anything else (systemd unit, /etc/default/docker, a command line) is read as dockerd flags. */
export function scanDockerDaemon(path: string, text: string): Finding[] {
  const json = path.endsWith('.json') || /^\s*(\{|\[\s*[^A-Za-z\s])/.test(text);
  const settings = json ? settingsFromJson(path, text) : settingsFromFlags(path, text);
  const context: DaemonContext = {
    settings,
    file: path,
    span: { line: 1, column: 1, endLine: 1, endColumn: 2 },
  };
  return runRules(daemonRules, context, path);
}
