import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAuditDestinations, parseFlows } from '@gatehouse/config';
import { kubernetesProblems, lintChart, releaseNotes, renderChart, RENDERED_HOOK_ANNOTATION, type KubeObject } from '@gatehouse/testing';

const CHART = 'k8s/gatehouse';
const FILES = { flows: 'docs/examples/flows.yaml', 'audit.destinations': 'docs/examples/audit-destinations.yaml' };
const COMPONENTS = ['gateway', 'approval', 'audit-reporting', 'provisioning-okta', 'slack-bot'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  topologySpreadConstraints?: unknown[];
}
type Rule = { ports?: { port: number | string; protocol: string }[]; from?: unknown[]; to?: unknown[] };

const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const component = (o: KubeObject) => o.metadata.labels?.['app.kubernetes.io/component'] ?? '';
const deployment = (objects: KubeObject[], name: string) => {
  const found = ofKind(objects, 'Deployment').find((d) => component(d) === name);
  if (!found) throw new Error(`no Deployment for ${name}`);
  return found as KubeObject & { spec: { replicas?: number; strategy: { rollingUpdate: { maxUnavailable: number } }; template: { metadata: { annotations: Record<string, string> }; spec: PodSpec } } };
};
const container = (objects: KubeObject[], name: string) => deployment(objects, name).spec.template.spec.containers[0] as Container;
const env = (c: Container) => new Map((c.env ?? []).map((e) => [e.name, e]));
const policy = (objects: KubeObject[], name: string) => ofKind(objects, 'NetworkPolicy').find((p) => component(p) === name) as KubeObject & { spec: { ingress?: Rule[]; egress: Rule[] } };
const ports = (rules: Rule[] | undefined) => (rules ?? []).flatMap((r) => (r.ports ?? []).map((p) => `${p.port}/${p.protocol}`)).sort();

describe('the Helm chart (k8s/gatehouse), rendered and linted by Helm’s own library', () => {
  let minimal: KubeObject[];
  let production: KubeObject[];
  let inline: KubeObject[];

  beforeAll(async () => {
    [minimal, production, inline] = await Promise.all([
      renderChart(CHART, { values: [`${CHART}/ci/minimal-values.yaml`], setFiles: { flows: FILES.flows } }),
      renderChart(CHART, { values: [`${CHART}/ci/production-values.yaml`], setFiles: FILES }),
      renderChart(CHART, { values: [`${CHART}/ci/inline-values.yaml`], setFiles: { flows: FILES.flows } }),
    ]);
  }, 120_000);

  it('lints clean with --strict (with the production values)', async () => {
    const lint = await lintChart(CHART, { values: [`${CHART}/ci/production-values.yaml`], setFiles: FILES });
    expect(lint.messages.filter((m) => /\[(ERROR|WARNING)\]/.test(m))).toEqual([]);
    expect(lint.failed).toBe(false);
  }, 60_000);

  it('renders objects every one of which Kubernetes’ schemas accept, with no unknown field', () => {
    for (const objects of [minimal, production, inline]) {
      expect(objects.length).toBeGreaterThan(20);
      expect(objects.flatMap((o) => kubernetesProblems(o))).toEqual([]);
    }
    // The validator does catch what Kubernetes would drop or refuse.
    const broken = structuredClone(deployment(production, 'gateway'));
    (broken.spec as unknown as { replica: number }).replica = 2;
    (broken.spec.template.spec.containers[0] as unknown as { livenessProbe: { httpGet: { paht: string } } }).livenessProbe.httpGet.paht = '/x';
    delete (broken.spec as { template?: unknown }).template;
    expect(kubernetesProblems(broken).join('\n')).toMatch(/template/);
    expect(kubernetesProblems(broken)).toContain('Deployment gatehouse-gateway: spec.replica: unknown field');
  });

  it('fails a bad values file at install time with the schema’s message', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-values-'));
    const attempt = async (values: string) => {
      const file = path.join(dir, `v${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, values);
      return renderChart(CHART, { values: [`${CHART}/ci/minimal-values.yaml`, file], setFiles: { flows: FILES.flows } }).then(
        () => 'rendered',
        (error: Error) => error.message,
      );
    };
    try {
      // The chart's defaults alone: each required value is named.
      const bare = await renderChart(CHART, {}).then(
        () => 'rendered',
        (error: Error) => error.message,
      );
      expect(bare).toMatch(/values don't meet the specifications of the schema/);
      for (const required of ['/flows', '/kafka/brokers', '/database', '/okta/orgUrl']) expect(bare).toContain(`at '${required}'`);

      expect(await attempt('services:\n  gateway:\n    replicas: 3\n')).toMatch(/at '\/services\/gateway'.*additional properties 'replicas' not allowed/s);
      expect(await attempt('slack:\n  mode: websocket\n')).toMatch(/at '\/slack\/mode'.*value must be one of 'http', 'socket'/s);
      expect(await attempt('slack:\n  mode: socket\n')).toMatch(/at '\/slack'/);
      expect(await attempt('ingress:\n  enabled: true\n')).toMatch(/at '\/ingress\/host'/);
      expect(await attempt('kafka:\n  brokers: kafka\n')).toMatch(/at '\/kafka\/brokers'.*does not match pattern/s);
      expect(await attempt('kafka:\n  sasl:\n    mechanism: scram-sha-512\n')).toMatch(/at '\/kafka\/sasl'/);
      expect(await attempt('okta:\n  oidc:\n    issuer: https://acme.okta.com\n    clientId: x\n    clientSecret: y\n')).toMatch(/at '\/publicUrl'/);
      expect(await attempt('audit:\n  destinationSecrets:\n    env: { SPLUNK_HEC_TOKEN: token }\n')).toMatch(/at '\/audit\/destinationSecrets\/existingSecret'/);
      expect(await attempt('logLevel: verbose\n')).toMatch(/at '\/logLevel'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs each service with probes on its real endpoints, a preStop pause, no unavailable pod on a rollout, and spread over nodes', () => {
    for (const name of COMPONENTS) {
      const d = deployment(production, name);
      const c = container(production, name);
      expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
      expect(env(c).get('PORT')?.value).toBe('3000');
      expect(env(c).get('HOST')?.value).toBe('0.0.0.0');
      expect(env(c).get('DATABASE_PREPARED_STATEMENTS')?.value).toBe('true');
      expect(env(container(inline, name)).get('DATABASE_PREPARED_STATEMENTS')?.value).toBe('false');
      expect([c.startupProbe?.httpGet, c.livenessProbe?.httpGet, c.readinessProbe?.httpGet]).toEqual([
        { path: '/healthz', port: 'http' },
        { path: '/healthz', port: 'http' },
        { path: '/readyz', port: 'http' },
      ]);
      expect(c.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '5']);
      expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(d.spec.template.spec.topologySpreadConstraints).toHaveLength(2);
      expect(c.image).toBe(`registry.example.com/platform/gatehouse/${name}:0.1.0`);
    }
    // Autoscaled services leave the replica count to their HorizontalPodAutoscaler.
    const scaled = ofKind(production, 'HorizontalPodAutoscaler').map(component).sort();
    expect(scaled).toEqual(['approval', 'gateway', 'slack-bot']);
    expect(deployment(production, 'gateway').spec.replicas).toBeUndefined();
    expect(deployment(production, 'audit-reporting').spec.replicas).toBe(2);
    expect(ofKind(production, 'PodDisruptionBudget').map(component).sort()).toEqual([...COMPONENTS].sort());
    expect(ofKind(production, 'Service').map(component).sort()).toEqual([...COMPONENTS].sort());
  });

  it('is locked down by default: non-root, RuntimeDefault seccomp, no privilege escalation, read-only root, no capabilities, no service-account token', () => {
    for (const objects of [minimal, production]) {
      const pods: PodSpec[] = [
        ...ofKind(objects, 'Deployment').map((d) => (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec),
        ...ofKind(objects, 'Job').map((j) => (j as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec),
        ...ofKind(objects, 'Pod').map((p) => (p as unknown as { spec: PodSpec }).spec),
      ];
      expect(pods.length).toBe(7);
      for (const pod of pods) {
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
          expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
          // The one writable place.
          expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        }
      }
    }
  });

  it('takes every credential from the existing Secrets named, rendering no secret value at all', () => {
    expect(ofKind(production, 'Secret')).toEqual([]);
    const text = JSON.stringify(production);
    for (const secretish of ['PRIVATE KEY', 'xoxb-', 'xapp-', 'postgres://']) expect(text).not.toContain(secretish);
    const ref = (name: string, variable: string) => env(container(production, name)).get(variable)?.valueFrom?.secretKeyRef;
    expect(ref('approval', 'DATABASE_URL')).toEqual({ name: 'gatehouse-database', key: 'url' });
    expect(ref('gateway', 'SLACK_SIGNING_SECRET')).toEqual({ name: 'gatehouse-slack', key: 'signing-secret' });
    expect(ref('slack-bot', 'SLACK_BOT_TOKEN')).toEqual({ name: 'gatehouse-slack', key: 'bot-token' });
    expect(ref('provisioning-okta', 'OKTA_PRIVATE_KEY')).toEqual({ name: 'gatehouse-okta', key: 'private-key' });
    expect(ref('gateway', 'OKTA_OIDC_CLIENT_SECRET')).toEqual({ name: 'gatehouse-okta', key: 'oidc-client-secret' });
    expect(ref('audit-reporting', 'AUDIT_SIGNING_KEY')).toEqual({ name: 'gatehouse-audit', key: 'signing-key' });
    expect(ref('audit-reporting', 'SPLUNK_HEC_TOKEN')).toEqual({ name: 'gatehouse-audit', key: 'splunk-hec-token' });
    for (const name of COMPONENTS) {
      expect(ref(name, 'KAFKA_SASL_PASSWORD')).toEqual({ name: 'gatehouse-kafka', key: 'password' });
      expect(env(container(production, name)).get('KAFKA_SSL_CA_FILE')?.value).toBe('/etc/gatehouse/kafka-ca/ca.crt');
    }
    // Given inline instead, they go into one Secret the chart makes, and the pods roll when it changes.
    const [secret] = ofKind(inline, 'Secret').filter((s) => component(s) !== 'migrations') as (KubeObject & { data: Record<string, string> })[];
    expect(secret?.metadata.name).toBe('gatehouse-credentials');
    const decoded = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(decoded).toMatchObject({ 'database-url': 'postgres://gatehouse:db-inline-password@postgres:5432/gatehouse', 'slack-bot-token': 'xoxb-inline-bot-token', 'okta-api-token': 'okta-inline-api-token-0001' });
    expect(deployment(inline, 'gateway').spec.template.metadata.annotations['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('mounts the flows and destinations files from ConfigMaps where the services look, and rolls pods when they change', async () => {
    const configMap = (objects: KubeObject[], suffix: string) => ofKind(objects, 'ConfigMap').find((c) => c.metadata.name.endsWith(suffix)) as KubeObject & { data: Record<string, string> };
    expect(parseFlows(configMap(production, '-flows').data['flows.yaml'] as string).flows.map((f) => f.name)).toEqual(['production-database', 'aws-admin', 'staging']);
    expect(parseAuditDestinations(configMap(production, '-audit-destinations').data['destinations.yaml'] as string).destinations.map((d) => d.name)).toEqual(['splunk', 'compliance-webhook', 'stdout']);
    for (const name of ['approval', 'slack-bot', 'provisioning-okta']) {
      expect(env(container(production, name)).get('GATEHOUSE_FLOWS')?.value).toBe('/etc/gatehouse/flows/flows.yaml');
      expect(container(production, name).volumeMounts).toContainEqual({ name: 'flows', mountPath: '/etc/gatehouse/flows', readOnly: true });
    }
    expect(env(container(production, 'audit-reporting')).get('GATEHOUSE_AUDIT_DESTINATIONS')?.value).toBe('/etc/gatehouse/audit/destinations.yaml');

    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-flows-'));
    try {
      const changed = path.join(dir, 'flows.yaml');
      writeFileSync(changed, readFileSync(FILES.flows, 'utf8').replace('timeout: 4h', 'timeout: 3h'));
      const after = await renderChart(CHART, { values: [`${CHART}/ci/production-values.yaml`], setFiles: { ...FILES, flows: changed } });
      for (const name of COMPONENTS) {
        expect(deployment(after, name).spec.template.metadata.annotations['checksum/config']).not.toBe(deployment(production, name).spec.template.metadata.annotations['checksum/config']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('lets only the gateway take traffic, every service reach Kafka and PostgreSQL, and only those that need it the outside', () => {
    const kafka = '9096/TCP';
    const postgres = '5432/TCP';
    const dns = ['53/TCP', '53/UDP'];
    const outside = '443/TCP';
    const expected: Record<string, string[]> = {
      gateway: [...dns, kafka, postgres, outside], // account linking talks to Okta
      approval: [...dns, kafka, postgres],
      'audit-reporting': [...dns, kafka, postgres, outside, '8088/TCP'],
      'provisioning-okta': [...dns, kafka, postgres, outside],
      'slack-bot': [...dns, kafka, postgres, outside],
    };
    for (const [name, allowed] of Object.entries(expected)) expect({ name, egress: ports(policy(production, name).spec.egress) }).toEqual({ name, egress: [...allowed].sort() });
    // Peers narrowed as configured.
    const approval = policy(production, 'approval').spec.egress;
    expect(approval.find((r) => ports([r]).includes(kafka))?.to).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
    expect(approval.find((r) => ports([r]).includes(postgres))?.to).toEqual([{ ipBlock: { cidr: '10.30.0.0/24' } }]);
    // Ingress: the gateway from the ingress controller (and `helm test`), the rest only from Prometheus.
    const gatewayIn = policy(production, 'gateway').spec.ingress ?? [];
    expect(gatewayIn[0]?.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': 'test' }) } }]);
    for (const name of COMPONENTS.filter((n) => n !== 'gateway')) {
      expect(policy(production, name).spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }]);
      expect(policy(minimal, name).spec.ingress).toEqual([]);
    }
    // Without account linking the gateway has no business outside.
    expect(ports(policy(minimal, 'gateway').spec.egress)).toEqual(['53/TCP', '53/UDP', '5432/TCP', '9092/TCP']);
    expect(ports(policy(minimal, 'migrations').spec.egress)).toEqual(['53/TCP', '53/UDP', '5432/TCP']);
  });

  it('migrates every service’s schema in a pre-install/pre-upgrade Job, and tests /readyz with `helm test`', () => {
    for (const objects of [minimal, inline]) {
      const [job] = ofKind(objects, 'Job') as (KubeObject & { spec: { template: { spec: PodSpec } } })[];
      expect(job?.metadata.annotations?.[RENDERED_HOOK_ANNOTATION]).toBe('pre-install,pre-upgrade');
      const steps = [...(job?.spec.template.spec.initContainers ?? []), ...(job?.spec.template.spec.containers ?? [])];
      expect(steps.map((c) => [c.image.replace(/:.*/, ''), c.command]).sort()).toEqual(COMPONENTS.map((name) => [`gatehouse/${name}`, ['node', 'migrate.js']]).sort());
    }
    const jobUrl = (objects: KubeObject[]) => env((ofKind(objects, 'Job')[0] as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec.containers[0] as Container).get('DATABASE_URL')?.valueFrom?.secretKeyRef;
    expect(jobUrl(minimal)).toEqual({ name: 'gatehouse-database', key: 'database-url' });
    // Inline, the URL comes from a hook Secret made just before the Job: the chart's own Secret does not exist yet on a first install.
    expect(jobUrl(inline)).toEqual({ name: 'gatehouse-migrations', key: 'database-url' });
    const hookSecret = ofKind(inline, 'Secret').find((s) => s.metadata.name === 'gatehouse-migrations');
    expect(hookSecret?.metadata.annotations).toMatchObject({ [RENDERED_HOOK_ANNOTATION]: 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-10' });

    const [test] = ofKind(minimal, 'Pod') as (KubeObject & { spec: PodSpec })[];
    expect(test?.metadata.annotations?.[RENDERED_HOOK_ANNOTATION]).toBe('test');
    expect(test?.spec.containers[0]?.command?.join(' ')).toContain("fetch('http://gatehouse-gateway/readyz')");
  });

  it('exposes the gateway through an Ingress with TLS in HTTP mode, Socket Mode needs none, and Prometheus scrapes /metrics', () => {
    const [ingress] = ofKind(production, 'Ingress') as (KubeObject & { spec: { ingressClassName: string; tls: unknown[]; rules: { host: string; http: { paths: { path: string; backend: unknown }[] } }[] } })[];
    expect(ingress?.spec.ingressClassName).toBe('nginx');
    expect(ingress?.spec.tls).toEqual([{ hosts: ['gatehouse.example.com'], secretName: 'gatehouse-tls' }]);
    expect(ingress?.spec.rules[0]?.http.paths.map((p) => p.path)).toEqual(['/api', '/slack', '/link']);
    expect(ingress?.spec.rules[0]?.http.paths[0]?.backend).toEqual({ service: { name: 'gatehouse-gateway', port: { name: 'http' } } });
    // Socket Mode: slack-bot gets the app-level token; no ingress is rendered.
    expect(ofKind(inline, 'Ingress')).toEqual([]);
    expect(env(container(inline, 'slack-bot')).get('SLACK_APP_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'gatehouse-credentials', key: 'slack-app-token' });
    expect(env(container(production, 'slack-bot')).has('SLACK_APP_TOKEN')).toBe(false);
    const monitors = ofKind(production, 'ServiceMonitor') as (KubeObject & { spec: { endpoints: unknown[] } })[];
    expect(monitors.map(component).sort()).toEqual([...COMPONENTS].sort());
    expect(monitors[0]?.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    expect(monitors[0]?.metadata.labels?.['release']).toBe('kube-prometheus-stack');
    expect(ofKind(minimal, 'ServiceMonitor')).toEqual([]);
  });

  it('tells the installer what to do next, and warns of what will not work', async () => {
    const [bare, full] = await Promise.all([
      releaseNotes(CHART, { values: [`${CHART}/ci/minimal-values.yaml`], setFiles: { flows: FILES.flows } }),
      releaseNotes(CHART, { values: [`${CHART}/ci/production-values.yaml`], setFiles: FILES }),
    ]);
    expect(bare).toContain('helm test gatehouse -n gatehouse');
    expect(bare).toContain('kubectl -n gatehouse port-forward svc/gatehouse-gateway 3000:80');
    expect(bare).toMatch(/WARNING: no ingress is enabled, so Slack cannot reach \/slack\/events/);
    expect(bare).toMatch(/WARNING: no Slack bot token/);
    expect(bare).toMatch(/WARNING: no audit.signingKey/);
    expect(full).toContain('The API: https://gatehouse.example.com/api/v1');
    expect(full).toContain('set the Slack app\'s Request URLs to https://gatehouse.example.com/slack/events');
    expect(full).not.toContain('WARNING');
  }, 60_000);
});
