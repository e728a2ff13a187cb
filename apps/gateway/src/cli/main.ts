import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { FlowsFileError, formatDuration, loadConfigOrExit, loadFlowsFile } from '@gatehouse/config';
import { createServiceDataSource, initializeDatabase } from '@gatehouse/persistence';
import { ApiTokenStore } from '../auth/api-token.store';
import { API_USAGE, runApiCommand } from './api-commands';
import { DOCTOR_USAGE, runAuditCommand, runDoctor } from './doctor-command';
import { printSlackManifest, SLACK_MANIFEST_USAGE } from './slack-manifest-command';
import { isScope, SCOPES, type Scope } from '@gatehouse/contracts';
import { z } from 'zod';
import { gatewayEnvSchema, SCHEMA } from '../config';
import { entities, migrations } from '../database';

const USAGE = `usage: npm run gatehouse -- <command>

  tokens create --for <email> --scopes <scope,…> [--name <label>] [--only-token]
                                                        a personal token: acts only as that person (shown once)
  tokens create --service <name> --scopes <scope,…>     a service token (automation): acts as itself;
                                                        with act-as, for the person it names
  tokens list                                           list tokens (never their secrets)
  tokens revoke <id>                                    revoke a token at once
  flows validate <file>                                 check a flows YAML file
${DOCTOR_USAGE}
  audit verify [--anchors <file>…]                      check the whole audit chain (every hash and link, gaps,
                                                        order, truncation, signed checkpoints); exit 1 naming the
                                                        first bad record. --anchors: JSON-lines files a destination
                                                        received; their signed checkpoints are checked too
  audit destinations                                    each audit destination's state, lag and counts
${SLACK_MANIFEST_USAGE}
${API_USAGE}

scopes: ${SCOPES.join(', ')}
  (admin implies every scope but act-as; act-as and slack:relay are for service tokens)
tokens: writes to the gateway's database (DATABASE_URL, default the local one).`;

function validateFlows(file: string | undefined): number {
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  try {
    const { flows } = loadFlowsFile(file);
    for (const flow of flows) {
      const approval = flow.approval.autoApprove.targets.length === flow.targets.length ? 'no approval' : `${flow.approval.required} approval(s)`;
      console.log(`✓ ${flow.name}: ${flow.targets.length} target(s), durations ${flow.durations.map(formatDuration).join('/')}, ${approval}`);
    }
    console.log(`${file} is valid (${flows.length} flow${flows.length === 1 ? '' : 's'})`);
    return 0;
  } catch (error) {
    if (!(error instanceof FlowsFileError)) throw error;
    console.error(error.message);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'doctor') return runDoctor(argv.slice(1), USAGE);
  if (group === 'audit' && (command === 'verify' || command === 'destinations')) return runAuditCommand(command, rest);
  if (group === 'flows' && command === 'validate') return validateFlows(rest[0]);
  if (group === 'slack' && command === 'manifest') return printSlackManifest(rest, USAGE);
  if ((group === 'flows' || group === 'requests') && command) return runApiCommand(group, command, rest);
  if (group !== 'tokens' || !command) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfigOrExit('gatehouse', gatewayEnvSchema);
  const dataSource = createServiceDataSource({ ...config.database, schema: SCHEMA, entities, migrations, applicationName: 'gatehouse-cli', poolSize: 2 });
  await initializeDatabase(dataSource, SCHEMA);
  const store = new ApiTokenStore(dataSource);
  try {
    switch (command) {
      case 'create': {
        const { values } = parseArgs({ args: rest, options: { for: { type: 'string' }, service: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, 'only-token': { type: 'boolean' } } });
        const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = scopes.filter((s) => !isScope(s));
        const problem =
          unknown.length > 0 ? `unknown scope(s): ${unknown.join(', ')}; valid: ${SCOPES.join(', ')}`
          : scopes.length === 0 ? 'name the scopes: --scopes requests:read,requests:write'
          : !values.for === !values.service ? 'say whose token it is: --for <email> (a person, who it acts as) or --service <name> (an automation)'
          : values.for && !z.email().safeParse(values.for).success ? `--for needs the person's email, not "${values.for}"`
          : values.for && scopes.some((s) => s === 'act-as' || s === 'slack:relay') ? 'a personal token acts only as its owner: act-as and slack:relay are for service tokens (--service <name>)'
          : undefined;
        if (problem) {
          console.error(`gatehouse: ${problem}\n\n${USAGE}`);
          return 2;
        }
        const created = await store.create(
          values.for ? { kind: 'personal', ownerEmail: values.for, name: values.name, scopes: scopes as Scope[] } : { kind: 'service', name: values.service ?? '', scopes: scopes as Scope[] },
        );
        // --only-token: just the secret, for `export TOKEN=$(…)`.
        if (values['only-token']) console.log(created.token);
        else console.log(JSON.stringify({ id: created.id, kind: created.kind, name: created.name, owner: created.ownerEmail, scopes: created.scopes, token: created.token }));
        console.error('Store the token now: it is not shown again (only its hash is kept).');
        return 0;
      }
      case 'list':
        for (const token of await store.list()) console.log(JSON.stringify(token));
        return 0;
      case 'revoke': {
        const id = rest[0];
        if (!id) {
          console.error(USAGE);
          return 2;
        }
        if (!(await store.revoke(id))) {
          console.error(`no active token with id ${id} (see: npm run gatehouse -- tokens list)`);
          return 1;
        }
        console.error(`revoked ${id}`);
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`gatehouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
