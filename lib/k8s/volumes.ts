/** Pod volumes and per-pod claims. */
import { k8s } from 'cdk8s-plus-27';
import type { VolumeSpec } from '../settings/fields';

export function volumeClaimTemplate(name: string, v: VolumeSpec, accessMode = 'ReadWriteOnce'): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name },
    spec: {
      accessModes: [accessMode],
      ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
    },
  };
}

/** A size-limited emptyDir: scratch space counted against the pod's ephemeral storage. */
export function emptyDir(name: string, sizeLimit: string): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}

export function configMapVolume(name: string, configMap: string, defaultMode = 0o444): k8s.Volume {
  return { name, configMap: { name: configMap, defaultMode } };
}

export function secretVolume(name: string, secret: string, items: { key: string; path: string }[]): k8s.Volume {
  return { name, secret: { secretName: secret, defaultMode: 0o440, items } };
}
