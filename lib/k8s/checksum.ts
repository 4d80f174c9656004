/**
 * Configuration checksums: a pod-template annotation that changes with the configuration the pods
 * read, so `kubectl apply` rolls them (and the change shows in the diff).
 */
import { createHash } from 'crypto';
import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

/** Short hash of configuration text: a pod-template annotation so a config change rolls the pods. */
export function checksum(...texts: string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t);
  return h.digest('hex').slice(0, 16);
}

/** A checksum computed when the manifests are synthesized (see {@link configChecksum}). */
export type ConfigChecksum = () => string;

/**
 * What a checksum reads: every value of a ConfigMap (those of `order` first, in that order, then
 * the others by key, patched-in ones included), one key of it, or another checksum.
 */
export type ChecksumSource =
  | k8s.KubeConfigMap
  | { readonly configMap: k8s.KubeConfigMap; readonly order: string[] }
  | { readonly configMap: k8s.KubeConfigMap; readonly key: string }
  | ConfigChecksum;

/** The final `data` of a ConfigMap, after every JSON patch a user added to it. */
function finalData(configMap: k8s.KubeConfigMap): Record<string, string> {
  return ApiObject.of(configMap).toJson().data ?? {};
}

function valuesOf(data: Record<string, string>, order: string[]): string[] {
  const keys = [...order.filter((k) => k in data), ...Object.keys(data).filter((k) => !order.includes(k)).sort()];
  return keys.map((k) => data[k]);
}

/**
 * The checksum of the configuration the pods read, computed lazily from the ConfigMaps as they are
 * synthesized: a patch (`addJsonPatch`) to any of them changes it, so the pods roll as for our own
 * change. Values are hashed in the order given, keys in the ConfigMap's order.
 */
export function configChecksum(...sources: ChecksumSource[]): ConfigChecksum {
  return () => checksum(...sources.flatMap((s) => {
    if (typeof s === 'function') return [s()];
    if (s instanceof k8s.KubeConfigMap) return valuesOf(finalData(s), []);
    if ('key' in s) return [finalData(s.configMap)[s.key] ?? ''];
    return valuesOf(finalData(s.configMap), s.order);
  }));
}

/** The pod-template annotation holding a checksum, resolved at synthesis. */
export function checksumAnnotation(c: ConfigChecksum): Record<string, string> {
  return { 'nuxeo-compact-k8s/config-checksum': Lazy.any({ produce: c }) };
}
