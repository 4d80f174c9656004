/**
 * A cdk8s app as `cdk8s init typescript-app` makes it (its tsconfig.json is copied unchanged from
 * cdk8s-cli's template by test/package/pack.test.ts), using the packed library: an architecture
 * with a prefix, a managed PostgreSQL and a patch to Nuxeo's ConfigMap. NUXEO_REPLICAS and
 * PATCH_CONF let the test synthesize variants.
 */
import { Construct } from 'constructs';
import { App, Chart, ChartProps, JsonPatch } from 'cdk8s';
import { CompactArchitecture, DatabaseSource } from 'nuxeo-compact-k8s';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);
    const nuxeo = new CompactArchitecture(this, 'nuxeo', {
      prefix: 'blue',
      loadBalancer: { host: 'nuxeo.example.com' },
      nuxeo: { replicas: Number(process.env.NUXEO_REPLICAS ?? '2') },
      database: DatabaseSource.managed({
        host: 'blue.abcdefghij.eu-west-1.rds.amazonaws.com',
        password: { name: 'blue-rds', key: 'password' },
        cidrs: ['10.42.0.0/16'],
      }),
    }).nuxeo;
    if (process.env.PATCH_CONF === '1') {
      nuxeo.configMaps.conf.addJsonPatch(JsonPatch.add('/data/99-site.properties', 'nuxeo.url=https://nuxeo.example.com/nuxeo\n'));
    }
  }
}

const app = new App();
new MyChart(app, 'nuxeo', { namespace: 'team-blue', disableResourceNameHashes: true });
app.synth();
