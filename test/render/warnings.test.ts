/** The limits synth states for the load balancer and the pod identity chosen. */
import { architectureWarnings } from '../../app/warnings';
import { environment } from '../helpers';

const warningsOf = (overrides: Record<string, any>) => architectureWarnings(environment('w', overrides).spec);
const s3 = { binaries: { type: 's3', s3: { bucket: 'b-123', region: 'eu-west-1' } }, packagesInImage: true };

describe('load balancer and identity warnings', () => {
  test('gateway-api: stickiness needs the experimental channel, and which implementations honour it', () => {
    const w = warningsOf({ loadBalancer: { provider: 'gateway-api', host: 'a.example.com', gateway: { name: 'g', namespace: 'n' } } });
    expect(w.filter((x) => x.includes('experimental-channel Gateway API CRDs') && x.includes('Envoy Gateway'))).toHaveLength(1);
    expect(warningsOf({}).some((x) => x.includes('experimental-channel'))).toBe(false);
  });

  test('service: where stickiness happens', () => {
    const w = warningsOf({ loadBalancer: { provider: 'service', host: 'a.example.com' } });
    expect(w.filter((x) => x.includes('sticky by client address, in the cloud load balancer'))).toHaveLength(1);
  });

  test('EKS Pod Identity: the SDK Nuxeo 2021 ships predates it; GKE and Azure identities are not AWS credentials', () => {
    expect(warningsOf({ nuxeo: s3, network: { podIdentity: 'eks-pod-identity' } }).some((x) => x.includes('1.12.746'))).toBe(true);
    expect(warningsOf({ nuxeo: s3, network: { podIdentity: 'gke' } }).some((x) => x.includes('reads AWS credentials only'))).toBe(true);
    const irsa = warningsOf({ nuxeo: { ...s3, serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/r' } } }, network: { podIdentity: 'irsa' } });
    expect(irsa.some((x) => x.includes('podIdentity'))).toBe(false);
  });
});

const packagesWarning = (overrides: Record<string, any>) =>
  architectureWarnings(environment('w', overrides).spec).filter((w) => w.startsWith('Packages are installed at every Nuxeo pod start'));

test('installing packages at start is stated, with the way out; packages in the image are not', () => {
  expect(packagesWarning({ nuxeo: { packages: ['nuxeo-web-ui'] }, secrets: { nuxeoClid: { name: 'clid' } } })).toEqual([
    'Packages are installed at every Nuxeo pod start (nuxeo-web-ui): each start downloads them from Nuxeo Connect, so a pod cannot start ' +
      'while Connect is unreachable, and starts take minutes longer. Build them into the image (docker/Dockerfile) and set nuxeo.packagesInImage: true.',
  ]);
  const s3 = { binaries: { type: 's3', s3: { bucket: 'b-1', region: 'eu-west-1' } } };
  expect(packagesWarning({ nuxeo: s3, secrets: { nuxeoClid: { name: 'clid' } } })[0]).toContain('(amazon-s3-online-storage)');
  expect(packagesWarning({ nuxeo: { ...s3, packages: ['nuxeo-web-ui'], packagesInImage: true } })).toEqual([]);
  expect(packagesWarning({})).toEqual([]);
});
