import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeObject } from './helm-chart';

const ROOT = path.resolve(__dirname, '../../../../..');

/** kubernetes-models' validators (the Kubernetes OpenAPI: required fields, types, formats), by apiVersion/kind. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

interface SchemaNode {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
}

let catalog: { definitions: Record<string, SchemaNode>; kinds: Map<string, string> } | undefined;

/** fabric8's JSON Schemas of every kind (fetched by scripts/helm.sh from Maven Central): the field names of every object. */
function schemas(): NonNullable<typeof catalog> {
  if (catalog) return catalog;
  const dir = execFileSync('bash', [path.join(ROOT, 'scripts/helm.sh'), 'schemas'], { encoding: 'utf8' }).trim();
  const definitions: Record<string, SchemaNode> = {};
  for (const file of readdirSync(dir)) Object.assign(definitions, (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { definitions: Record<string, SchemaNode> }).definitions);
  const kinds = new Map<string, string>();
  for (const [name, definition] of Object.entries(definitions)) {
    const { apiVersion, kind } = (definition.properties ?? {}) as Record<string, { default?: string }>;
    if (apiVersion?.default && kind?.default) kinds.set(`${apiVersion.default}/${kind.default}`, name);
  }
  catalog = { definitions, kinds };
  return catalog;
}

/** Fields the schema does not know, anywhere in the object (Kubernetes drops them silently; kubectl refuses them). */
function unknownFields(value: unknown, node: SchemaNode | undefined, at: string, out: string[]): void {
  if (!node) return;
  const { definitions } = schemas();
  const resolved = node.$ref ? definitions[node.$ref.replace('#/definitions/', '')] : node;
  if (!resolved || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, resolved.items, `${at}[${i}]`, out));
    return;
  }
  const properties = resolved.properties;
  if (!properties) {
    // A map (labels, data, …): check its values against their schema, if it has one.
    if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object') {
      for (const [key, item] of Object.entries(value)) unknownFields(item, resolved.additionalProperties, `${at}.${key}`, out);
    }
    return;
  }
  // Quantities and int-or-strings are objects in fabric8's Java model but scalars on the wire: handled above (not objects).
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    if (!property) out.push(`${at}.${key}: unknown field`);
    else unknownFields(item, property, `${at}.${key}`, out);
  }
}

/**
 * What is wrong with a rendered object, as Kubernetes' schemas say: missing required fields and
 * wrong types (kubernetes-models), and any field the schema does not have (fabric8's schemas,
 * walked strictly). Empty when it is valid.
 */
export function kubernetesProblems(object: KubeObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${object.kind} ${object.metadata?.name ?? '?'}`;
  const problems: string[] = [];
  const model = MODELS[key];
  if (model) {
    try {
      new model(object as never).validate();
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const definition = schemas().kinds.get(key);
  if (!definition) return [...problems, `${name}: no schema for ${key}`];
  const unknown: string[] = [];
  unknownFields(object, { $ref: `#/definitions/${definition}` }, '', unknown);
  return [...problems, ...unknown.map((u) => `${name}: ${u.replace(/^\./, '')}`)];
}
