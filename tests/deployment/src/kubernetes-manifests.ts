import { readdirSync } from 'node:fs';
// `kubernetes-models/apps` rather than `kubernetes-models/apps/v1`: the lint rule that keeps our
// apps/ folders apart matches any import path with an `apps/` segment.
import { v1 as appsV1 } from 'kubernetes-models/apps';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { readRepositoryFile, repositoryPath } from './repository';

export const KUBERNETES_FOLDER = 'infra/kubernetes';

/** One object of a manifest file, as parsed. */
export interface ManifestObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** The Kubernetes model of every kind the manifests may hold: its validate() checks the object against the API schema. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': appsV1.Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
};

/** Validates one object against the Kubernetes schema of its apiVersion and kind; throws naming the file and the bad fields. */
export function validateAgainstKubernetesSchema(object: ManifestObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`${object.file}: no schema known for ${object.apiVersion} ${object.kind}`);
  const { file: _file, ...data } = object;
  try {
    new Model(data).validate();
  } catch (error) {
    throw new Error(`${object.file}: ${object.kind} ${object.metadata?.name}: ${(error as Error).message}`);
  }
}

/** kustomization.yaml is a kustomize file, not a Kubernetes object. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

export const manifestFiles = (): string[] =>
  readdirSync(repositoryPath(KUBERNETES_FOLDER))
    .filter((file) => /\.ya?ml$/.test(file) && file !== KUSTOMIZATION_FILE)
    .sort();

/** Parses a YAML file with every document in it; a syntax error or a warning throws. */
export function parseYamlDocuments(file: string, text: string): unknown[] {
  return parseAllDocuments(text, { strict: true, uniqueKeys: true }).flatMap((document) => {
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0) throw new Error(`${file}: ${problems.map((problem) => problem.message).join('; ')}`);
    const value = document.toJS() as unknown;
    return value === null ? [] : [value];
  });
}

/** Every object of every manifest under infra/kubernetes, with the file it came from. */
export function loadManifestObjects(): ManifestObject[] {
  return manifestFiles().flatMap((file) =>
    parseYamlDocuments(file, readRepositoryFile(KUBERNETES_FOLDER, file)).map(
      (value) => ({ ...(value as object), file }) as ManifestObject,
    ),
  );
}

export const objectsOfKind = <T = any>(objects: ManifestObject[], kind: string): (ManifestObject & T)[] =>
  objects.filter((object) => object.kind === kind) as (ManifestObject & T)[];
