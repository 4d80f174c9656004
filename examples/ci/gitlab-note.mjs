// Posts a file as a GitLab merge-request note, or updates the note that starts with the same
// marker line (`<!-- nuxeo-compact-k8s plan -->`), through the GitLab REST API (v4: Notes API).
// Reads CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID (set by GitLab) and PLAN_BOT_TOKEN.
import { readFileSync } from 'node:fs';

const body = readFileSync(process.argv[2], 'utf8');
const marker = body.split('\n')[0];
const { CI_API_V4_URL: api, CI_PROJECT_ID: project, CI_MERGE_REQUEST_IID: mr, PLAN_BOT_TOKEN: token } = process.env;
if (!api || !project || !mr || !token) {
  console.error('gitlab-note: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID and PLAN_BOT_TOKEN must be set');
  process.exit(2);
}
const notes = `${api}/projects/${encodeURIComponent(project)}/merge_requests/${mr}/notes`;
const headers = { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/json' };

async function call(method, url, data) {
  const res = await fetch(url, { method, headers, body: data ? JSON.stringify(data) : undefined });
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

let existing;
for (let page = 1; !existing; page++) {
  const batch = await call('GET', `${notes}?per_page=100&page=${page}&sort=asc`);
  existing = batch.find((n) => typeof n.body === 'string' && n.body.startsWith(marker));
  if (batch.length < 100) break;
}
if (existing) await call('PUT', `${notes}/${existing.id}`, { body });
else await call('POST', notes, { body });
console.log(`${existing ? 'updated' : 'posted'} the plan note on merge request !${mr}`);
