/**
 * The `traefik` load-balancer provider with the real Traefik (v3, built from its Go module,
 * test/cluster/traefik.ts) routing what synth generates for test/cluster/environments/traefik.yaml:
 * the Ingress and the sticky-cookie annotations of the Service, to the Nuxeo stand-ins, through the
 * NetworkPolicy that admits the `loadBalancer.controller` pods. Two Traefik instances run side by
 * side, identical but for their pod labels: the documented ones, and others that must be refused.
 * Figures (sticky hits, seconds) are printed at the end; docs/operators.md records them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { apply, clientPod, ClientPod, createSecrets, deleteNamespace, getJson, kubectl, leaveNamespaces, recycleVolumes, Synthesized, synthEnvironment, warnings } from './kube';
import { installTraefik, installTraefikBase, TraefikSetup, uninstallTraefik } from './traefik';
import { operatorImages, rollout } from './upstream';

const ENV_FILE = path.join(__dirname, 'environments/traefik.yaml');
const lb = parse(fs.readFileSync(ENV_FILE, 'utf8')).loadBalancer;
const WRONG_LABELS = { 'app.kubernetes.io/name': 'some-other-proxy' };
const figures: Record<string, string | number> = {};
const seconds = (ms: number) => Math.round(ms / 100) / 10;

let env: Synthesized;
let setup: TraefikSetup;
let client: ClientPod;
let applied: number;

beforeAll(async () => {
  figures['Traefik build + image push (s)'] = operatorImages('traefik');
  env = synthEnvironment(ENV_FILE);
  setup = { namespace: lb.controller.namespace, className: lb.className, watch: env.namespace };
  // A previous run's leftovers, then its volumes.
  await Promise.all([deleteNamespace(env.namespace, 300000), uninstallTraefik(setup)]);
  await recycleVolumes();
  const start = Date.now();
  await installTraefikBase(setup);
  await Promise.all([installTraefik(setup, 'traefik', lb.controller.podLabels), installTraefik(setup, 'traefik-wrong-labels', WRONG_LABELS)]);
  figures['two Traefik instances installed and Ready (s)'] = seconds(Date.now() - start);
  const first = await apply([env.files[0]]);
  await createSecrets(env);
  const rest = await apply(env.files.slice(1));
  expect([...warnings(first), ...warnings(rest)]).toEqual([]);
  applied = Date.now();
  await rollout(env.namespace, 'statefulset', 'nuxeo', 300);
  figures['Nuxeo stand-ins Ready after apply (s)'] = seconds(Date.now() - applied);
  client = await clientPod(setup.namespace, 'traefik-test-client');
}, 15 * 60 * 1000);

afterAll(async () => {
  console.log(`traefik figures:\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
  if (env) {
    await leaveNamespaces(env.namespace, setup.namespace);
    fs.rmSync(path.dirname(env.dir), { recursive: true, force: true });
  }
}, 6 * 60 * 1000);

/** A shell command in the client pod: one request for PATH to Nuxeo's host through the Traefik Service NAME. */
function request(name: string, urlPath: string, curlArgs = ''): string {
  return `curl -s --max-time 10 ${curlArgs} -H 'Host: ${lb.host}' 'http://${name}.${setup.namespace}.svc.cluster.local${urlPath}'`;
}

/** The pod a stand-in named in its /cgi-bin/headers answer (`nuxeo stand-in on <hostname>`), per line of output. */
function servedBy(stdout: string): string[] {
  return stdout.split('\n').map((l) => /^nuxeo stand-in on (\S+)$/.exec(l.trim())?.[1]).filter((p): p is string => !!p);
}

/** The Set-Cookie attributes Traefik must write for the generated Service annotations (Go's http.Cookie order). */
function expectedCookie(): RegExp {
  const text = fs.readFileSync(env.files.find((f) => f.endsWith('50-load-balancer.k8s.yaml'))!, 'utf8');
  const svc = parseAllDocuments(text).map((d) => d.toJS()).find((o) => o.kind === 'Service');
  const a = (k: string) => svc.metadata.annotations[`traefik.ingress.kubernetes.io/service.sticky.cookie${k}`];
  expect(a('')).toBe('true');
  const attrs = [`Path=/`, `Max-Age=${a('.maxage')}`, ...(a('.httponly') === 'true' ? ['HttpOnly'] : []), ...(a('.secure') === 'true' ? ['Secure'] : []),
    `SameSite=${a('.samesite').replace(/^./, (c: string) => c.toUpperCase())}`];
  return new RegExp(`^${a('.name')}=([0-9a-f]{16}); ${attrs.join('; ')}$`);
}

describe('Traefik (loadBalancer.provider traefik)', () => {
  it('routes the generated Ingress to the Nuxeo stand-ins (120 s)', async () => {
    const r = await client.sh(`for i in $(seq 1 60); do c=$(${request('traefik', '/nuxeo/runningstatus', "-o /dev/null -w '%{http_code}'")}); [ "$c" = 200 ] && exit 0; sleep 2; done; echo "last $c"; exit 1`, 150000);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    figures['first 200 through Traefik after apply (s)'] = seconds(Date.now() - applied);
    const pods = servedBy((await client.sh(`for i in 1 2 3 4; do ${request('traefik', '/cgi-bin/headers')} | head -1; done`)).stdout);
    expect(pods).toHaveLength(4);
    for (const p of pods) expect(p).toMatch(/^nuxeo-[01]$/);
  }, 150000);

  it('keeps a client holding the cookie on its pod for 50 requests; a new client can land on the other pod (180 s)', async () => {
    const start = Date.now();
    // The first answer sets the cookie; the 49 next requests send it back, as a browser does.
    const script = [
      `first=$(${request('traefik', '/cgi-bin/headers', '-i')} | tr -d '\\r')`,
      `echo "$first" | sed -n 's/^[Ss]et-[Cc]ookie: /cookie /p'`,
      `echo "$first" | grep '^nuxeo stand-in on '`,
      `value=$(echo "$first" | sed -n 's/^[Ss]et-[Cc]ookie: \\([^;]*\\).*/\\1/p')`,
      `for i in $(seq 2 50); do ${request('traefik', '/cgi-bin/headers', '-H "Cookie: $value"')} | head -1; done`,
    ].join('\n');
    const r = await client.sh(script, 180000);
    const cookieLines = r.stdout.split('\n').filter((l) => l.startsWith('cookie ')).map((l) => l.slice('cookie '.length));
    expect(cookieLines).toHaveLength(1);
    const cookie = expectedCookie().exec(cookieLines[0]);
    expect([cookieLines[0], !!cookie]).toEqual([cookieLines[0], true]);
    const served = servedBy(r.stdout);
    const hits = ['nuxeo-0', 'nuxeo-1'].map((p) => served.filter((s) => s === p).length);
    figures['sticky client, 50 requests (hits nuxeo-0, nuxeo-1)'] = hits.join(', ');
    expect(served).toHaveLength(50);
    expect([...hits].sort((a, b) => a - b)).toEqual([0, 50]);
    figures['50 sticky requests (s)'] = seconds(Date.now() - start);

    // 20 new clients (no cookie): the balancer takes turns, each gets the cookie of the pod it reached.
    const fresh = await client.sh(`for i in $(seq 1 20); do ${request('traefik', '/cgi-bin/headers', '-i')} | tr -d '\\r' | sed -n -e 's/^[Ss]et-[Cc]ookie: [^=]*=\\([0-9a-f]*\\);.*/\\1/p' -e '/^nuxeo stand-in on /p' | tr '\\n' ' '; echo; done`, 180000);
    const pairs = fresh.stdout.trim().split('\n').map((l) => /^(\S+) nuxeo stand-in on (\S+)\s*$/.exec(l)).map((m) => m && [m[1], m[2]]);
    expect(pairs.filter((p) => !p)).toEqual([]);
    const other = served[0] === 'nuxeo-0' ? 'nuxeo-1' : 'nuxeo-0';
    const newHits = ['nuxeo-0', 'nuxeo-1'].map((p) => pairs.filter((x) => x![1] === p).length);
    figures['20 new clients (hits nuxeo-0, nuxeo-1)'] = newHits.join(', ');
    expect(pairs.some((x) => x![1] === other)).toBe(true);
    // One cookie value per pod, the sticky client's for its own pod.
    const valueOf = new Map(pairs.map((x) => [x![1], x![0]]));
    expect(new Set(pairs.map((x) => `${x![0]} ${x![1]}`)).size).toBe(2);
    expect(valueOf.get(served[0])).toBe(cookie![1]);
  }, 180000);

  it('reaches Nuxeo only from controller pods with the loadBalancer.controller labels (60 s)', async () => {
    const tag = `t=${Date.now()}`;
    const code = (name: string) => request(name, `/nuxeo/runningstatus?${tag}`, "-o /dev/null -w '%{http_code}'");
    const start = Date.now();
    const refused = await client.sh(code('traefik-wrong-labels'), 30000);
    figures['wrong-labelled Traefik answer (code, s)'] = `${refused.stdout.trim()}, ${seconds(Date.now() - start)}`;
    const admitted = await client.sh(code('traefik'), 30000);
    // 502: a network error that is no timeout (the connection is refused: kube-router rejects).
    expect([refused.stdout.trim(), admitted.stdout.trim()]).toEqual(['502', '200']);
    // Its access log (common log format + router and server) shows it dialled a Nuxeo pod's proxy
    // port: it had the route and the pods, as its twin with the right labels has.
    const log = (await kubectl(['-n', setup.namespace, 'logs', 'deployment/traefik-wrong-labels'])).stdout;
    const line = log.split('\n').find((l) => l.includes(tag)) ?? '';
    const pods = (await getJson(['-n', env.namespace, 'pods', 'nuxeo-0', 'nuxeo-1'])).items.flatMap((p: any) => p.spec.containers.flatMap((c: any) => c.ports ?? [])
      .filter((port: any) => port.name === 'http').map((port: any) => `"http://${p.status.podIP}:${port.containerPort}"`));
    expect(pods).toHaveLength(2);
    expect([line.includes('" 502 '), pods.some((p: string) => line.includes(p))]).toEqual([true, true]);
  }, 60000);
});
