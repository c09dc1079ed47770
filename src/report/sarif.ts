import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import type { Finding, Severity } from '../policy/finding.js';

/**
 * SARIF 2.1.0 for any kind of finding, shaped for GitHub code scanning: one run, rules described
 * once in the driver, results with exact regions, stable fingerprints and suppressions.
 */
export interface ReportRule {
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  remediation?: string;
  helpUri?: string;
  tags?: string[];
}

export interface SarifOptions {
  toolName?: string;
  toolVersion?: string;
  informationUri?: string;
  /** Paths are written relative to this directory (the repository root for code scanning). */
  baseDir?: string;
  /** Rule descriptions; rules not listed are described from their findings. */
  rules?: ReportRule[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  UNKNOWN: 'note',
};

/** GitHub ranks code-scanning alerts by this numeric property. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '2.0',
  UNKNOWN: '0.0',
};

function uri(path: string, baseDir: string | undefined): string {
  const rel = baseDir && path.startsWith('/') ? relative(baseDir, path) : path;
  return rel.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
}

function fingerprint(f: Finding): string {
  const key = [
    f.id,
    f.location.path ?? '',
    f.location.object ?? '',
    f.evidence ?? '',
    f.package?.name ?? '',
  ].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

export function toSarif(findings: readonly Finding[], options: SarifOptions = {}): Record<string, unknown> {
  const described = new Map<string, ReportRule>();
  for (const r of options.rules ?? []) described.set(r.id, r);
  for (const f of findings) {
    if (!described.has(f.id))
      described.set(f.id, {
        id: f.id,
        title: f.title,
        severity: f.severity,
        ...(f.remediation ? { remediation: f.remediation } : {}),
        ...(f.references[0] ? { helpUri: f.references[0] } : {}),
      });
  }
  const rules = [...described.values()].sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: options.toolName ?? 'Cerana',
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[^A-Za-z0-9]/g, ''),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description ?? r.title },
              ...(r.remediation ? { help: { text: r.remediation, markdown: r.remediation } } : {}),
              ...(r.helpUri ? { helpUri: r.helpUri } : {}),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ['security', ...(r.tags ?? [])],
                'security-severity': SECURITY_SEVERITY[r.severity],
                precision: 'high',
              },
            })),
          },
        },
        results: findings.map((f) => {
          const loc = f.location;
          const region: Record<string, number> = {};
          if (loc.line !== undefined && loc.line > 0) {
            region.startLine = loc.line;
            if (loc.column !== undefined && loc.column > 0) region.startColumn = loc.column;
            if (loc.endLine !== undefined && loc.endLine >= loc.line) region.endLine = loc.endLine;
            if (
              loc.endColumn !== undefined &&
              loc.endColumn > 0 &&
              (loc.endLine !== loc.line || loc.endColumn > (loc.column ?? 0))
            )
              region.endColumn = loc.endColumn;
          }
          const message = [f.title, f.evidence ? `(${f.evidence})` : '', loc.object ? `in ${loc.object}` : '']
            .filter(Boolean)
            .join(' ');
          return {
            ruleId: f.id,
            ruleIndex: index.get(f.id) ?? 0,
            level: LEVEL[f.severity],
            message: { text: message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: {
                    uri: uri(loc.path ?? loc.image ?? 'unknown', options.baseDir),
                    ...(options.baseDir ? { uriBaseId: '%SRCROOT%' } : {}),
                  },
                  ...(Object.keys(region).length > 0 ? { region } : {}),
                },
                ...(loc.object ? { logicalLocations: [{ fullyQualifiedName: loc.object }] } : {}),
              },
            ],
            partialFingerprints: { 'ceranaFinding/v1': fingerprint(f) },
            ...(f.suppressed
              ? {
                  suppressions: [
                    {
                      kind: f.suppressed.by === 'inline' ? 'inSource' : 'external',
                      justification: f.suppressed.reason,
                      status: 'accepted',
                    },
                  ],
                }
              : {}),
            properties: {
              severity: f.severity,
              ...(f.aliases.length ? { aliases: f.aliases } : {}),
              ...(f.controls.length ? { controls: f.controls } : {}),
            },
          };
        }),
        ...(options.baseDir
          ? {
              originalUriBaseIds: {
                '%SRCROOT%': {
                  uri: `file://${options.baseDir.split(sep).map(encodeURIComponent).join('/').replace(/\/?$/, '/')}`,
                },
              },
            }
          : {}),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
