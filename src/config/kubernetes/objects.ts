import type { Span } from '../position.js';
import { get, items, type PNode, parseYaml, str, type YamlLimits } from '../yaml/tree.js';

/** One Kubernetes object from a manifest file (List items are unpacked). */
export interface K8sObject {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  node: PNode;
  span: Span;
}

const MAX_LIST_DEPTH = 4;

/** True when a YAML document looks like a Kubernetes object. */
export function isK8sObject(node: PNode | null | undefined): boolean {
  return (
    node?.kind === 'map' && str(get(node, 'apiVersion')) !== undefined && str(get(node, 'kind')) !== undefined
  );
}

export function parseManifests(file: string, text: string, limits: YamlLimits = {}): K8sObject[] {
  const out: K8sObject[] = [];
  const visit = (node: PNode, depth: number): void => {
    const kind = str(get(node, 'kind')) ?? '';
    // `v1/List` and every `*List` kind (PodList, DeploymentList...) wrap objects in `items`.
    if (kind.endsWith('List') && get(node, 'items')?.kind === 'seq' && depth < MAX_LIST_DEPTH) {
      for (const item of items(get(node, 'items'))) if (isK8sObject(item)) visit(item, depth + 1);
      return;
    }
    const namespace = str(get(node, 'metadata', 'namespace'));
    out.push({
      file,
      apiVersion: str(get(node, 'apiVersion')) ?? '',
      kind,
      name: str(get(node, 'metadata', 'name')) ?? str(get(node, 'metadata', 'generateName')) ?? '',
      ...(namespace !== undefined ? { namespace } : {}),
      node,
      span: node.span,
    });
  };
  for (const doc of parseYaml(file, text, limits)) if (doc.root && isK8sObject(doc.root)) visit(doc.root, 0);
  return out;
}

export function objectRef(o: { kind: string; name: string; namespace?: string | undefined }): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}
