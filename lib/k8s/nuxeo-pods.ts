/**
 * The Nuxeo pods as the tiers beneath Nuxeo see them: ports, UID, stop delay and the host of a
 * named tier. They sit on the floor under the tiers, so a sidecar Redis can default to the pods
 * of a Nuxeo tier named `nuxeo` without importing the tier above it (docs/layout.md).
 */
import type { SidecarHost } from './sidecar-host';

/** The reverse proxy (what the load balancer reaches) and Nuxeo's own HTTP port behind it. */
export const NUXEO_PORTS = { proxy: 8000, nuxeo: 8080 } as const;
/** The image's `nuxeo` UID (900) plus 10000. */
export const NUXEO_UID = 10900;
/**
 * Seconds a stopping pod keeps serving before its proxy and Nuxeo get SIGTERM. Removal from the
 * load balancer runs concurrently with preStop: the EndpointSlice update reaches kube-proxy
 * (iptables sync, 1 s minimum) and the in-cluster controllers (ingress-nginx, Traefik, Envoy
 * Gateway watch EndpointSlices) within a few seconds; 15 s covers that with margin, so a rolling
 * update or a drain returns no 502. A cloud load balancer probing nodes (provider `service`) needs
 * its health-check interval x unhealthy threshold: docs/day2.md.
 */
export const PROXY_DRAIN_SECONDS = 15;
/** The name of a Nuxeo tier when none is given (the environment-file app's). */
export const DEFAULT_NUXEO_NAME = 'nuxeo';

/** The pods a sidecar-mode `Redis` runs in, for a Nuxeo tier that will be named `name`. */
export function nuxeoSidecarHost(name: string): SidecarHost {
  return { statefulSet: name, headlessService: `${name}-headless`, uid: NUXEO_UID, serverPort: NUXEO_PORTS.nuxeo, stopDelaySeconds: PROXY_DRAIN_SECONDS };
}
