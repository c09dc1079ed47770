import type { Finding } from '../../policy/finding.js';
import type { RuleSet } from './config.js';
import type { SecretMatch } from './types.js';

const REMEDIATION =
  'Revoke and rotate this credential, then rebuild the image without it: deleting the file in a later ' +
  'layer does not remove it from the image. Pass build-time secrets with BuildKit secret mounts and ' +
  'run-time secrets from a secret store or orchestrator secrets.';

/** A secret match in the shape every report and policy reads; the secret itself is never included. */
export function toFinding(match: SecretMatch, rules: RuleSet, image?: string): Finding {
  const spec = rules.byId.get(match.ruleId)?.spec;
  const location: Finding['location'] = {};
  if (image !== undefined) location.image = image;
  if (match.layer !== undefined) location.layer = match.layer;
  if (match.inConfig) location.object = match.path;
  else location.path = match.path;
  if (match.line !== undefined) location.line = match.line;
  if (match.column !== undefined) location.column = match.column;
  if (match.endLine !== undefined) location.endLine = match.endLine;
  const deleted = match.deletedLater ? ' (file deleted in a later layer, still present in this one)' : '';
  return {
    kind: 'secret',
    id: match.ruleId,
    aliases: [],
    severity: match.severity,
    title: match.title,
    location,
    evidence: `${match.evidence}${deleted}`,
    remediation: spec?.remediation ?? REMEDIATION,
    controls: [],
    references: spec?.references ?? [],
  };
}
