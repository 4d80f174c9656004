import { renderPgHba, renderPrimaryBootstrap, renderReplicaBootstrap } from '../../lib/database/postgres-conf';
import { allManifests, environment, find } from '../helpers';

describe('PostgreSQL cluster', () => {
  const manifests = allManifests(environment('db', { database: { replicas: 2, name: 'nxdb', user: 'nx' } }));
  const primary = find(manifests, 'StatefulSet', 'postgresql-primary');
  const replica = find(manifests, 'StatefulSet', 'postgresql-replica');
  const files = find(manifests, 'ConfigMap', 'postgresql').data!;
  const envOf = (sts: any) => Object.fromEntries(sts.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('exec probes name the user: they get neither a passwd entry nor the start script\'s nss_wrapper', () => {
    for (const sts of [primary, replica]) {
      const c = sts.spec.template.spec.containers[0];
      for (const probe of [c.startupProbe, c.readinessProbe]) expect(probe.exec.command[2]).toMatch(/^pg_isready .*-U postgres -d postgres$/);
    }
  });

  test('/dev/shm is a memory emptyDir larger than the 64 MiB a pod gets', () => {
    for (const sts of [primary, replica]) {
      const pod = sts.spec.template.spec;
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'shm', mountPath: '/dev/shm' });
      expect(pod.volumes.find((v: any) => v.name === 'shm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '512Mi' });
    }
  });

  test('settings initdb writes into the unread PGDATA/postgresql.conf are set in ours', () => {
    const conf = files['postgresql.conf'];
    for (const line of ["timezone = 'UTC'", "default_text_search_config = 'pg_catalog.english'", "lc_messages = 'C.UTF-8'", "lc_monetary = 'C.UTF-8'", "lc_numeric = 'C.UTF-8'", "lc_time = 'C.UTF-8'", "datestyle = 'iso, mdy'"]) {
      expect(conf.split('\n')).toContain(line);
    }
  });

  test('each replica streams through its own replication slot, and slots cannot fill the primary\'s disk', () => {
    expect(files['replica.sh']).toContain('--create-slot --if-not-exists --slot="$slot"');
    expect(files['replica.sh']).toContain('-c primary_slot_name="$slot"');
    expect(files['replica.sh']).toMatch(/pg_basebackup .*\n.* -S "\$slot"/);
    expect(files['postgresql.conf']).toMatch(/^max_slot_wal_keep_size = \d+MB$/m);
  });

  test('one primary and database.replicas streaming replicas', () => {
    expect(primary.spec.replicas).toBe(1);
    expect(replica.spec.replicas).toBe(2);
    expect(find(allManifests(environment('db1')), 'StatefulSet', 'postgresql-replica').spec.replicas).toBe(1);
  });

  test('each instance runs the rendered bootstrap for its role', () => {
    expect(primary.spec.template.spec.containers[0].command).toEqual(['sh', '/etc/postgresql/primary.sh']);
    expect(replica.spec.template.spec.containers[0].command).toEqual(['sh', '/etc/postgresql/replica.sh']);
    expect(files['primary.sh']).toBe(renderPrimaryBootstrap({ database: 'nxdb', user: 'nx' }));
    expect(files['replica.sh']).toBe(renderReplicaBootstrap());
    expect(files['pg_hba.conf']).toBe(renderPgHba({ database: 'nxdb', user: 'nx' }));
    expect(files['primary.sh']).toContain('CREATE DATABASE nxdb WITH OWNER nx');
  });

  test('replicas bootstrap from pod 0 of the primary by its stable DNS name', () => {
    expect(envOf(replica).PRIMARY_HOST).toBe('postgresql-primary-0.postgresql-primary-headless.nuxeo-db.svc.cluster.local');
    expect(primary.spec.serviceName).toBe('postgresql-primary-headless');
    expect(files['replica.sh']).toContain('pg_basebackup');
    expect(files['replica.sh']).toContain('standby.signal');
  });

  test('read-write Service on the primary, read-only Service on the replicas', () => {
    expect(find(manifests, 'Service', 'postgresql-rw').spec.selector).toEqual({ 'app.kubernetes.io/instance': 'postgresql-primary' });
    expect(find(manifests, 'Service', 'postgresql-ro').spec.selector).toEqual({ 'app.kubernetes.io/instance': 'postgresql-replica' });
  });

  test('passwords are files from the Secrets named in the environment', () => {
    const volumes = primary.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret);
    expect(volumes.map((v: any) => [v.secretName, v.items[0].key])).toEqual([
      ['nuxeo-database', 'superuser-password'],
      ['nuxeo-database', 'nuxeo-password'],
      ['nuxeo-database', 'replication-password'],
    ]);
    expect(JSON.stringify(files)).not.toMatch(/PASSWORD '[^:]/);
  });

  test('primary and replicas keep apart from each other, not only from their own kind', () => {
    for (const sts of [primary, replica]) {
      expect(sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'postgresql' });
    }
  });

  test('settings are sized from the container memory limit', () => {
    const conf = allManifests(environment('db2', { database: { resources: { limits: { memory: '8Gi' }, requests: { memory: '8Gi' } } } }))
      .find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'postgresql')!.data!['postgresql.conf'];
    expect(conf).toContain('shared_buffers = 2048MB');
    expect(conf).toContain('wal_level = replica');
    expect(conf).toContain('hot_standby = on');
  });
});
