/**
 * Config-scan latency on a generated corpus: ≥ 1,000 Dockerfiles and ≥ 1,000 Kubernetes manifest
 * files (several objects each). Prints the median and p95 time per Dockerfile (parse + 121 rules)
 * and per Kubernetes object (parse + PSS + workload + object rules, cross-object rules included),
 * and the ratio against a baseline measured in the same run: parsing alone (dockerfile-ast,
 * the yaml library) with no rules. Targets: ≤ 50 ms per Dockerfile, ≤ 20 ms per object.
 *
 *   npx vite-node bench/config/run.ts [--files 1000] [--json]
 */
import { performance } from 'node:perf_hooks';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { scanDockerfile } from '../../src/config/dockerfile/scan.js';
import { parseManifests } from '../../src/config/kubernetes/objects.js';
import { scanKubernetes } from '../../src/config/kubernetes/scan.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const FILES = arg('files', 1000);
const json = process.argv.includes('--json');

/** Deterministic pseudo-random numbers so every run measures the same corpus. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const BASES = [
  'debian:12',
  'ubuntu:24.04',
  'alpine:3.19',
  'node:20',
  'python:3.12-slim',
  'golang:1.22',
  'fedora:40',
  'nginx:latest',
];
const RUNS = [
  'apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*',
  'apk add --no-cache git=2.43.0-r0 openssh-client',
  'curl -fsSL https://example.com/install.sh | sh',
  'pip install --no-cache-dir flask==3.0.2 gunicorn',
  'npm ci --omit=dev && npm cache clean --force',
  'wget -q -O /tmp/t.tgz https://example.com/t.tgz && tar -xzf /tmp/t.tgz -C /opt && rm /tmp/t.tgz',
  'useradd -l -u 10001 app && chown -R app:app /srv',
  'set -eux; \\\n    make -C /src -j4; \\\n    make -C /src install; \\\n    strip /usr/local/bin/*',
  'dnf install -y httpd-2.4.62 && dnf clean all',
  'if [ -f /etc/os-release ]; then cat /etc/os-release; fi && chmod 755 /usr/local/bin/entry',
];

function dockerfile(r: () => number): string {
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)] as T;
  const lines = ['# syntax=docker/dockerfile:1', 'ARG VERSION=1.0.0'];
  const stages = 1 + Math.floor(r() * 3);
  for (let s = 0; s < stages; s++) {
    lines.push(`FROM ${pick(BASES)} AS stage${s}`, 'WORKDIR /src', `ENV APP_VERSION=$VERSION STAGE=${s}`);
    const runs = 5 + Math.floor(r() * 20);
    for (let i = 0; i < runs; i++) {
      lines.push(`RUN ${pick(RUNS)}`);
      if (r() < 0.3) lines.push(`COPY src/part${i}/ /src/part${i}/`);
      if (r() < 0.1) lines.push(`LABEL org.example.part${i}="stage ${s}"`);
    }
    if (s > 0) lines.push(`COPY --from=stage${s - 1} /src /src`);
  }
  lines.push(
    'EXPOSE 8080',
    'USER 10001',
    'HEALTHCHECK CMD ["/usr/local/bin/entry", "health"]',
    'ENTRYPOINT ["/usr/local/bin/entry"]',
    'CMD ["serve"]',
  );
  return `${lines.join('\n')}\n`;
}

function manifests(r: () => number, n: number): { text: string; objects: number } {
  const docs: string[] = [];
  const count = 2 + Math.floor(r() * 4);
  for (let i = 0; i < count; i++) {
    const name = `app${n}-${i}`;
    const privileged = r() < 0.2;
    docs.push(`apiVersion: apps/v1
kind: ${r() < 0.5 ? 'Deployment' : 'StatefulSet'}
metadata:
  name: ${name}
  namespace: ns${n % 17}
  labels: {app: ${name}, tier: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}, tier: web}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      serviceAccountName: ${name}
      securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
      initContainers:
        - name: init
          image: busybox:1.36
          command: [sh, -c, "until nslookup db; do sleep 1; done"]
      containers:
        - name: main
          image: registry.example.com/${name}:1.${i}.0
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: LOG_LEVEL, value: info}
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
          securityContext: {allowPrivilegeEscalation: false, privileged: ${privileged}, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          readinessProbe: {httpGet: {path: /readyz, port: http}}
          volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes:
        - {name: tmp, emptyDir: {}}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ns${n % 17}}
spec:
  type: ${r() < 0.1 ? 'NodePort' : 'ClusterIP'}
  selector: {app: ${name}}
  ports: [{port: 80, targetPort: http}]`);
  }
  docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ns${n % 17}}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]`);
  return { text: `${docs.join('\n---\n')}\n`, objects: count * 2 + 1 };
}

function stats(samples: number[]): { median: number; p95: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    median: at(0.5),
    p95: at(0.95),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

const r = rng(42);
const dockerfiles = Array.from({ length: FILES }, () => dockerfile(r));
const k8s = Array.from({ length: FILES }, (_, n) => manifests(r, n));

// Warm up the JIT and the lazily built rule tables before timing anything.
for (const d of dockerfiles.slice(0, 50)) scanDockerfile('Dockerfile', d);
for (const m of k8s.slice(0, 50)) scanKubernetes(parseManifests('m.yaml', m.text));

const dfBase: number[] = [];
const dfFull: number[] = [];
let dfFindings = 0;
for (const d of dockerfiles) {
  let t = performance.now();
  DockerfileParser.parse(d);
  dfBase.push(performance.now() - t);
  t = performance.now();
  dfFindings += scanDockerfile('Dockerfile', d).length;
  dfFull.push(performance.now() - t);
}

const k8sBase: number[] = [];
const k8sFull: number[] = [];
let objects = 0;
let k8sFindings = 0;
for (const m of k8s) {
  let t = performance.now();
  for (const doc of parseAllDocuments(m.text) as unknown as { toJS(): unknown }[]) doc.toJS();
  k8sBase.push((performance.now() - t) / m.objects);
  t = performance.now();
  k8sFindings += scanKubernetes(parseManifests('m.yaml', m.text)).length;
  k8sFull.push((performance.now() - t) / m.objects);
  objects += m.objects;
}

const df = stats(dfFull);
const dfb = stats(dfBase);
const ko = stats(k8sFull);
const kob = stats(k8sBase);
const lines = dockerfiles.reduce((n, d) => n + d.split('\n').length, 0);
const result = {
  dockerfiles: {
    files: FILES,
    lines,
    findings: dfFindings,
    medianMs: df.median,
    p95Ms: df.p95,
    baselineMedianMs: dfb.median,
    ratio: df.median / dfb.median,
    targetMs: 50,
  },
  kubernetes: {
    files: FILES,
    objects,
    findings: k8sFindings,
    medianMsPerObject: ko.median,
    p95MsPerObject: ko.p95,
    baselineMedianMsPerObject: kob.median,
    ratio: ko.median / kob.median,
    targetMs: 20,
  },
};
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const f = (n: number) => n.toFixed(3);
  process.stdout.write(
    [
      `Dockerfiles: ${FILES} files, ${lines} lines, ${dfFindings} findings`,
      `  per Dockerfile: median ${f(df.median)} ms, p95 ${f(df.p95)} ms (target ≤ 50 ms)`,
      `  baseline (dockerfile-ast parse only): median ${f(dfb.median)} ms; ratio ${result.dockerfiles.ratio.toFixed(2)}x`,
      `Kubernetes: ${FILES} files, ${objects} objects, ${k8sFindings} findings`,
      `  per object: median ${f(ko.median)} ms, p95 ${f(ko.p95)} ms (target ≤ 20 ms)`,
      `  baseline (yaml parse + toJS only): median ${f(kob.median)} ms; ratio ${result.kubernetes.ratio.toFixed(2)}x`,
      '',
    ].join('\n'),
  );
}
