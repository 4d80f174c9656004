import { architectureWarnings } from '../../lib/render/warnings';
import { environment } from '../helpers';

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
