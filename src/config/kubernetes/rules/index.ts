import { bindRules, loadRuleMeta, type Report } from '../../rule.js';
import type { Workload } from '../../workload/model.js';
import { entries, entry, get, items, type PNode, str } from '../../yaml/tree.js';
import { type K8sObject, objectRef } from '../objects.js';

/** Everything scanned together: cross-object rules (NetworkPolicy coverage) look across files. */
export interface K8sScope {
  objects: K8sObject[];
  workloads: { object: K8sObject; workload: Workload }[];
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

function hit(report: Report, o: K8sObject, node: PNode | undefined, evidence?: string): void {
  const n = node ?? o.node;
  report({
    span: n.span,
    file: n.file,
    object: objectRef(o),
    ...(evidence !== undefined ? { evidence } : {}),
  });
}

function strings(node: PNode | undefined): string[] {
  return items(node).flatMap((n) => str(n) ?? []);
}

interface RbacRule {
  object: K8sObject;
  node: PNode;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

function rbacRules(scope: K8sScope): RbacRule[] {
  return scope.objects
    .filter((o) => RBAC_KINDS.has(o.kind))
    .flatMap((object) =>
      items(get(object.node, 'rules')).map((node) => ({
        object,
        node,
        apiGroups: strings(get(node, 'apiGroups')),
        resources: strings(get(node, 'resources')),
        verbs: strings(get(node, 'verbs')),
        resourceNames: strings(get(node, 'resourceNames')),
      })),
    );
}

function grants(rule: RbacRule, resources: string[], verbs: string[]): boolean {
  const resourceOk = rule.resources.some((r) => r === '*' || resources.includes(r));
  const verbOk = rule.verbs.some((v) => v === '*' || verbs.includes(v));
  return resourceOk && verbOk;
}

/** matchLabels and matchExpressions semantics of metav1.LabelSelector. */
export function selects(selector: PNode | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const e of entries(get(selector, 'matchLabels'))) if (labels[e.key] !== str(e.value)) return false;
  for (const expr of items(get(selector, 'matchExpressions'))) {
    const key = str(get(expr, 'key')) ?? '';
    const values = strings(get(expr, 'values'));
    const has = key in labels;
    switch (str(get(expr, 'operator'))) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function policyTypes(policy: K8sObject): string[] {
  const declared = strings(get(policy.node, 'spec', 'policyTypes'));
  if (declared.length > 0) return declared;
  return get(policy.node, 'spec', 'egress') ? ['Ingress', 'Egress'] : ['Ingress'];
}

function uncovered(
  scope: K8sScope,
  direction: 'Ingress' | 'Egress',
): { object: K8sObject; workload: Workload }[] {
  const policies = scope.objects.filter(
    (o) => o.kind === 'NetworkPolicy' && policyTypes(o).includes(direction),
  );
  return scope.workloads.filter(({ object, workload }) => {
    if (workload.hostNetwork?.value) return false;
    const labels = object.kind === 'Pod' ? workload.labels : workload.podLabels;
    return !policies.some(
      (p) =>
        (p.namespace ?? '') === (object.namespace ?? '') &&
        selects(get(p.node, 'spec', 'podSelector'), labels),
    );
  });
}

export const kubernetesRules = bindRules<K8sScope>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-K8S-001': (scope, report) => {
    for (const o of scope.objects)
      if (o.namespace === 'default') hit(report, o, get(o.node, 'metadata', 'namespace'));
  },
  'CER-K8S-002': (scope, report) => {
    for (const { object } of scope.workloads)
      if (object.namespace === 'kube-system') hit(report, object, get(object.node, 'metadata', 'namespace'));
  },
  'CER-K8S-003': (scope, report) => {
    for (const o of scope.objects)
      if (o.kind === 'Service' && str(get(o.node, 'spec', 'type')) === 'NodePort')
        hit(report, o, get(o.node, 'spec', 'type'));
  },
  'CER-K8S-004': (scope, report) => {
    for (const o of scope.objects) {
      if (o.kind !== 'Service' || str(get(o.node, 'spec', 'type')) !== 'LoadBalancer') continue;
      const ranges = strings(get(o.node, 'spec', 'loadBalancerSourceRanges'));
      const internal = entries(get(o.node, 'metadata', 'annotations')).some(
        (e) => /internal/i.test(e.key) && /^(true|0\.0\.0\.0\/0)$/i.test(str(e.value) ?? ''),
      );
      if (!internal && (ranges.length === 0 || ranges.includes('0.0.0.0/0')))
        hit(report, o, get(o.node, 'spec', 'type'));
    }
  },
  'CER-K8S-005': (scope, report) => {
    for (const o of scope.objects) {
      const ips = get(o.node, 'spec', 'externalIPs');
      if (o.kind === 'Service' && items(ips).length > 0) hit(report, o, ips, strings(ips).join(','));
    }
  },
  'CER-K8S-006': (scope, report) => {
    for (const { object } of uncovered(scope, 'Ingress'))
      hit(
        report,
        object,
        get(object.node, 'metadata', 'name'),
        'no NetworkPolicy selects these pods for ingress',
      );
  },
  'CER-K8S-007': (scope, report) => {
    for (const { object } of uncovered(scope, 'Egress'))
      hit(
        report,
        object,
        get(object.node, 'metadata', 'name'),
        'no NetworkPolicy selects these pods for egress',
      );
  },
  'CER-K8S-008': (scope, report) => {
    for (const o of scope.objects) {
      if (o.kind !== 'NetworkPolicy') continue;
      for (const rule of items(get(o.node, 'spec', 'ingress'))) {
        const from = get(rule, 'from');
        const open =
          !from ||
          items(from).some((peer) => entries(peer).length === 0) ||
          items(from).some((p) => str(get(p, 'ipBlock', 'cidr')) === '0.0.0.0/0');
        if (open) hit(report, o, rule);
      }
    }
  },
  'CER-K8S-010': (scope, report) => {
    for (const r of rbacRules(scope)) {
      if ([...r.verbs, ...r.resources, ...r.apiGroups].includes('*'))
        hit(report, r.object, r.node, 'wildcard');
    }
  },
  'CER-K8S-011': (scope, report) => {
    for (const o of scope.objects) {
      if (BINDING_KINDS.has(o.kind) && str(get(o.node, 'roleRef', 'name')) === 'cluster-admin')
        hit(report, o, get(o.node, 'roleRef', 'name'));
    }
  },
  'CER-K8S-012': (scope, report) => {
    for (const r of rbacRules(scope)) {
      const bad = r.verbs.filter((v) => ['escalate', 'bind', 'impersonate'].includes(v));
      if (bad.length > 0) hit(report, r.object, get(r.node, 'verbs'), bad.join(','));
    }
  },
  'CER-K8S-013': (scope, report) => {
    for (const r of rbacRules(scope)) {
      if (r.resourceNames.length > 0 && !r.verbs.some((v) => v === 'list' || v === 'watch' || v === '*'))
        continue;
      if (grants(r, ['secrets'], ['get', 'list', 'watch'])) hit(report, r.object, r.node);
    }
  },
  'CER-K8S-014': (scope, report) => {
    for (const r of rbacRules(scope))
      if (grants(r, ['pods/exec', 'pods/attach'], ['create', 'get'])) hit(report, r.object, r.node);
  },
  'CER-K8S-015': (scope, report) => {
    const workloads = [
      'pods',
      'deployments',
      'statefulsets',
      'daemonsets',
      'replicasets',
      'replicationcontrollers',
      'jobs',
      'cronjobs',
    ];
    for (const r of rbacRules(scope))
      if (grants(r, workloads, ['create', 'update', 'patch'])) hit(report, r.object, r.node);
  },
  'CER-K8S-016': (scope, report) => {
    for (const o of scope.objects) {
      if (!BINDING_KINDS.has(o.kind)) continue;
      for (const s of items(get(o.node, 'subjects'))) {
        const name = str(get(s, 'name')) ?? '';
        if (['system:anonymous', 'system:unauthenticated', 'system:authenticated'].includes(name))
          hit(report, o, s, name);
      }
    }
  },
  'CER-K8S-017': (scope, report) => {
    for (const r of rbacRules(scope))
      if (r.resources.includes('nodes/proxy') && r.verbs.length > 0) hit(report, r.object, r.node);
  },
  'CER-K8S-018': (scope, report) => {
    const hooks = [
      'mutatingwebhookconfigurations',
      'validatingwebhookconfigurations',
      'validatingadmissionpolicies',
      'validatingadmissionpolicybindings',
    ];
    for (const r of rbacRules(scope)) {
      if (r.resources.includes('*')) continue;
      if (grants(r, hooks, ['create', 'update', 'patch', 'delete'])) hit(report, r.object, r.node);
    }
  },
  'CER-K8S-019': (scope, report) => {
    for (const o of scope.objects) {
      if (o.kind !== 'Secret') continue;
      const data = entry(o.node, 'data') ?? entry(o.node, 'stringData');
      if (data && entries(data.value).length > 0)
        hit(report, o, data.value, `${entries(data.value).length} keys`);
    }
  },
  'CER-K8S-020': (scope, report) => {
    for (const { object, workload } of scope.workloads) {
      const sa = workload.serviceAccountName?.value;
      if ((sa === undefined || sa === 'default') && workload.automountServiceAccountToken?.value !== false)
        hit(report, object, get(object.node, 'metadata', 'name'));
    }
  },
  'CER-K8S-021': (scope, report) => {
    for (const o of scope.objects)
      if (o.kind === 'Ingress' && items(get(o.node, 'spec', 'tls')).length === 0)
        hit(report, o, get(o.node, 'spec'));
  },
});
