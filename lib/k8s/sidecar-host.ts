/** The pods a sidecar Redis runs in. */
export interface SidecarHost {
  readonly statefulSet: string;
  readonly headlessService: string;
  /** UID the host pods run as. */
  readonly uid: number;
  /** Port of the host's own server, which the sidecar Redis outlives (it stops once that port is closed). */
  readonly serverPort: number;
  /**
   * Seconds the host's server keeps running after the pod is told to stop (its preStop delay),
   * added to the sidecar's wait for it.
   * @default 0
   */
  readonly stopDelaySeconds?: number;
}
