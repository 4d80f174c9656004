/** What Nuxeo's settings would silently not do: attached by the `Nuxeo` construct, printed by the app. */

/** The registry of the Nuxeo images, which needs credentials. */
export const PRIVATE_NUXEO_REGISTRY = 'docker-private.packages.nuxeo.com';

export function nuxeoWarnings(image: string, imagePullSecrets: readonly string[]): string[] {
  if (!image.startsWith(`${PRIVATE_NUXEO_REGISTRY}/`) || imagePullSecrets.length) return [];
  return [`nuxeo.image is on ${PRIVATE_NUXEO_REGISTRY}, which needs credentials, and imagePullSecrets is empty: Nuxeo pods stay in ` +
    'ImagePullBackOff unless the nodes already hold credentials for it. Create a docker-registry Secret and list it in imagePullSecrets.'];
}
