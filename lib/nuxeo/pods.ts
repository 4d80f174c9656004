/**
 * The Nuxeo pods as other tiers see them (a leaf module, so a sidecar Redis can default to the
 * pods of a Nuxeo tier without importing the tier): ports, UID and host of a named tier.
 */
import type { SidecarHost } from '../redis/sidecar-host';

/** The reverse proxy (what the load balancer reaches) and Nuxeo's own HTTP port behind it. */
export const NUXEO_PORTS = { proxy: 8000, nuxeo: 8080 } as const;
/** The image's `nuxeo` UID (900) plus 10000. */
export const NUXEO_UID = 10900;
/** The name of a Nuxeo tier when none is given (the environment-file app's). */
export const DEFAULT_NUXEO_NAME = 'nuxeo';

/** The pods a sidecar-mode `Redis` runs in, for a Nuxeo tier that will be named `name`. */
export function nuxeoSidecarHost(name: string): SidecarHost {
  return { statefulSet: name, headlessService: `${name}-headless`, uid: NUXEO_UID, serverPort: NUXEO_PORTS.nuxeo };
}
