import type { Env } from '@gyroscops/platform';
import type { ManifestObject } from './kubernetes-manifests';

/** A container's env entry as the manifests write it (the subset they use). */
export interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

/** Where a container's variables come from: the ConfigMaps and Secrets it may reference, by name. */
export interface EnvSources {
  configMaps: Map<string, Record<string, string>>;
  secrets: Map<string, Record<string, string>>;
}

export function envSourcesOf(objects: ManifestObject[]): EnvSources {
  const configMaps = new Map<string, Record<string, string>>();
  const secrets = new Map<string, Record<string, string>>();
  for (const object of objects) {
    if (object.kind === 'ConfigMap')
      configMaps.set(object.metadata.name, (object.data ?? {}) as Record<string, string>);
    if (object.kind === 'Secret')
      secrets.set(object.metadata.name, (object.stringData ?? {}) as Record<string, string>);
  }
  return { configMaps, secrets };
}

/**
 * The environment a container would see, resolving every reference; a reference to a missing
 * ConfigMap, Secret or key is a problem even when optional (the example files must show every key).
 */
export function resolveContainerEnv(entries: EnvEntry[], sources: EnvSources): { env: Env; problems: string[] } {
  const env: Env = {};
  const problems: string[] = [];
  for (const entry of entries) {
    if (entry.name in env) problems.push(`${entry.name} is set twice`);
    const configMapRef = entry.valueFrom?.configMapKeyRef;
    const secretRef = entry.valueFrom?.secretKeyRef;
    if (entry.value !== undefined) {
      env[entry.name] = entry.value;
    } else if (configMapRef) {
      const value = sources.configMaps.get(configMapRef.name)?.[configMapRef.key];
      if (value === undefined)
        problems.push(`${entry.name}: ConfigMap ${configMapRef.name} has no key ${configMapRef.key}`);
      env[entry.name] = value;
    } else if (secretRef) {
      const value = sources.secrets.get(secretRef.name)?.[secretRef.key];
      if (value === undefined) problems.push(`${entry.name}: Secret ${secretRef.name} has no key ${secretRef.key}`);
      env[entry.name] = value;
    } else {
      problems.push(`${entry.name} has neither a value nor a ConfigMap or Secret reference`);
    }
  }
  return { env, problems };
}
