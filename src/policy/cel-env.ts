import { Environment } from '@marcbachmann/cel-js';
import { atLeast, isSeverity } from './finding.js';
import {
  FindingView,
  ImageView,
  INPUT_VARIABLES,
  OsView,
  PackageView,
  TrustView,
  VIEW_FIELDS,
} from './input.js';

/** Bounds on what one expression may be, so a hostile policy cannot exhaust the parser. */
const LIMITS = { maxAstNodes: 2000, maxDepth: 100, maxListElements: 500, maxMapEntries: 500 };

/** Helpers policies may call besides CEL's own functions and macros. */
export const POLICY_FUNCTIONS = [
  'severityAtLeast(string, string): bool — true when the first severity is at least the second (CRITICAL > HIGH > MEDIUM > LOW > UNKNOWN)',
];

let shared: Environment | undefined;

/** One environment for every policy: typed variables, the view types and the helpers. */
export function policyEnvironment(): Environment {
  if (shared) return shared;
  const env = new Environment({ limits: LIMITS })
    .registerType('Finding', { ctor: FindingView, fields: { ...VIEW_FIELDS.Finding } })
    .registerType('Package', { ctor: PackageView, fields: { ...VIEW_FIELDS.Package } })
    .registerType('Image', { ctor: ImageView, fields: { ...VIEW_FIELDS.Image } })
    .registerType('Os', { ctor: OsView, fields: { ...VIEW_FIELDS.Os } })
    .registerType('Trust', { ctor: TrustView, fields: { ...VIEW_FIELDS.Trust } })
    .registerFunction('severityAtLeast(string, string): bool', (severity: string, threshold: string) =>
      isSeverity(severity) && isSeverity(threshold) ? atLeast(severity, threshold) : false,
    );
  for (const [name, type] of Object.entries(INPUT_VARIABLES)) env.registerVariable(name, type);
  shared = env;
  return env;
}
