/** The policy `cerana policy init` writes: the common baseline, commented so teams can raise the bar. */
export const STARTER_POLICY = `# Cerana policy: security standards as code.
# Each rule is a CEL expression that FIRES (is a violation) when it is true.
# Input (type-checked when the policy loads):
#   findings  list<Finding>: kind ("vulnerability", "secret", "malware", "misconfiguration", ...),
#             id, aliases, severity ("CRITICAL".."UNKNOWN"), title, path, packageName, packageType,
#             installedVersion, fixedVersion, fixAvailable, kev (CISA known exploited), epss (0..1),
#             cvss (0..10), suppressed
#   packages  list<Package>: type, name, version, purl
#   image     Image: ref, repository, digest, user, runsAsRoot, labels, baseImage, basePinned,
#             exposure, criticality
#   os        Os: family, version, eol
#   score     int: the risk score 0-100, higher is safer (docs/risk-score.md)
#   trust     Trust: known (a verifier looked), signed, verified, attested
# Helpers: exists, all, exists_one, filter, map, size; severityAtLeast(f.severity, "HIGH").
# Suppressed findings (exceptions, VEX) stay in the list with suppressed == true.
apiVersion: cerana.io/v1
kind: Policy
metadata:
  name: baseline
  description: No critical fixable vulnerabilities, no secrets, no malware, no root, a pinned base image.

rules:
  - id: no-critical-fixable
    description: Critical vulnerabilities with a fix must be fixed
    expr: findings.exists(f, f.kind == "vulnerability" && !f.suppressed && f.severity == "CRITICAL" && f.fixAvailable)
  - id: no-known-exploited
    description: No vulnerability on the CISA KEV list
    expr: findings.exists(f, f.kind == "vulnerability" && !f.suppressed && f.kev)
  - id: no-secrets
    description: No credentials in the image
    expr: findings.exists(f, f.kind == "secret" && !f.suppressed)
  - id: no-malware
    description: No known malware
    expr: findings.exists(f, f.kind == "malware")
  - id: non-root
    description: The image declares a non-root USER
    expr: image.runsAsRoot
  - id: pinned-base
    description: The base image is named by digest (org.opencontainers.image.base.digest)
    expr: "!image.basePinned"
  - id: supported-os
    description: The OS release still gets security updates
    expr: os.eol

# Stages raise the bar from CI to production: each lists the rules it applies and how
# (deny fails the gate with exit code 1, warn and info only report), plus a minimum score.
stages:
  ci:
    minScore: 0
    rules:
      no-critical-fixable: warn
      no-known-exploited: deny
      no-secrets: deny
      no-malware: deny
      non-root: warn
      pinned-base: info
      supported-os: warn
  registry:
    minScore: 50
    rules:
      no-critical-fixable: deny
      no-known-exploited: deny
      no-secrets: deny
      no-malware: deny
      non-root: deny
      pinned-base: warn
      supported-os: warn
  production:
    minScore: 80
    rules:
      no-critical-fixable: deny
      no-known-exploited: deny
      no-secrets: deny
      no-malware: deny
      non-root: deny
      pinned-base: deny
      supported-os: deny
`;
