import { GatehouseSystem, runTs } from '@gatehouse/testing';

interface Finding {
  service: string;
  check: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/**
 * `gatehouse doctor` against a running installation (real Kafka and PostgreSQL, fake Slack,
 * Okta and Okta's OpenID side): all good when all is good; then each thing an admin gets wrong
 * is named with what to do — a channel the app is not in, an app-sourced target group, a scope
 * the app lacks, a token Slack refuses, a broker that is not there.
 */
describe('gatehouse doctor', () => {
  let system: GatehouseSystem;

  beforeAll(async () => {
    system = await GatehouseSystem.start('doctor');
    for (const id of ['C0ACCESS01', 'C0ERRORS01', 'C0BREAKGL1']) system.slack.addChannel({ id, name: id.toLowerCase() });
    system.slack.addChannel({ id: 'C0GHERRORS', name: 'gatehouse-errors' });
    for (const id of ['00gprdbreadonly00001', '00gprdbreadwrite0001', '00gawsprodadmin00001', '00gstagingdeploy0001', '00gconsoleaccess0001', '00gbreakglassroot001', '00gvaultadmins000001', '00gtestapprovers0001', '00gtestoncall0000001']) {
      system.okta.addGroup(id);
    }
  });
  afterAll(async () => {
    await system?.stop();
  });

  const doctor = async (env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; findings: Finding[]; report: string }> => {
    const run = async (args: string[]) => {
      const child = runTs('apps/gateway/src/cli/main.ts', ['doctor', ...args], { ...system.env, ...env });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, out };
    };
    const [json, text] = await Promise.all([run(['--json']), run([])]);
    expect(text.code).toBe(json.code);
    return { code: json.code, findings: JSON.parse(json.out) as Finding[], report: text.out };
  };
  const find = (findings: Finding[], service: string, check: string) => findings.find((f) => f.service === service && f.check === check);

  it('finds nothing to fix in a sound installation, and says what it checked', async () => {
    const { code, findings, report } = await doctor();
    expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    for (const service of ['gateway', 'approval', 'audit-reporting', 'provisioning-okta', 'slack-bot']) {
      expect(find(findings, service, 'kafka')?.status).toBe('pass');
      expect(find(findings, service, 'database')).toMatchObject({ status: 'pass', detail: expect.stringContaining('migrated') });
    }
    expect(find(findings, 'slack-bot', 'slack scopes')?.status).toBe('pass');
    expect(find(findings, 'slack-bot', 'slack channel C0ACCESS01')).toMatchObject({ status: 'pass', detail: 'aws-admin request channel: the app is in it' });
    expect(find(findings, 'slack-bot', 'slack channel #gatehouse-errors')?.status).toBe('pass');
    expect(find(findings, 'provisioning-okta', 'okta credentials')?.status).toBe('pass');
    expect(find(findings, 'provisioning-okta', 'okta group 00gawsprodadmin00001')?.status).toBe('pass');
    expect(find(findings, 'gateway', 'account linking')).toMatchObject({ status: 'pass', detail: expect.stringContaining('/link/callback') });
    expect(report).toContain('✓ flows file');
  });

  it('names each mistake with what to do, and exits 1', async () => {
    system.slack.addChannel({ id: 'C0BREAKGL1', name: 'c0breakgl1', isMember: false });
    system.okta.addGroup('00gbreakglassroot001', 'Root console (from AD)', 'APP_GROUP');
    const scopes = system.slack.botScopes;
    system.slack.botScopes = scopes.filter((s) => s !== 'users:read.email');
    try {
      const { code, findings, report } = await doctor();
      expect(code).toBe(1);
      expect(find(findings, 'slack-bot', 'slack channel C0BREAKGL1')).toMatchObject({ status: 'fail', detail: expect.stringContaining('break-glass request channel: the app is not in it'), fix: '/invite @Gatehouse in C0BREAKGL1' });
      expect(find(findings, 'provisioning-okta', 'okta group 00gbreakglassroot001')).toMatchObject({ status: 'fail', detail: expect.stringContaining('app-sourced group (APP_GROUP)') });
      expect(find(findings, 'slack-bot', 'slack scopes')).toMatchObject({ status: 'fail', detail: 'missing users:read.email', fix: expect.stringContaining('slack manifest') });
      expect(report).toContain('✗ slack channel C0BREAKGL1');
      expect(report).toMatch(/3 problem\(s\) to fix/);
    } finally {
      system.slack.addChannel({ id: 'C0BREAKGL1', name: 'c0breakgl1' });
      system.okta.addGroup('00gbreakglassroot001');
      system.slack.botScopes = scopes;
    }

    // A token Slack refuses, and a broker that is not there.
    const broken = await doctor({ SLACK_BOT_TOKEN: 'xoxb-not-the-token', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(broken.code).toBe(1);
    expect(find(broken.findings, 'slack-bot', 'slack token')).toMatchObject({ status: 'fail', detail: 'Slack refused the bot token (invalid_auth)' });
    expect(find(broken.findings, 'approval', 'kafka')).toMatchObject({ status: 'fail', fix: expect.stringContaining('KAFKA_BROKERS') });
  });
});
