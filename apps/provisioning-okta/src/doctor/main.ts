import 'reflect-metadata';
import { doctorMain, fail, loadFlowsFile, pass, warn, type Finding, type FlowsFile } from '@gatehouse/config';
import { checkKafka } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { checkDatabase } from '@gatehouse/persistence';
import { envSchema, SCHEMA, SERVICE, type ServiceConfig } from '../config';
import { migrations } from '../database';
import { OktaError } from '../okta/okta-client';
import { oktaClient } from '../okta/okta-client-factory';

/**
 * Okta: the credentials work, and every group the flows name exists; the groups Gatehouse grants
 * (targets) must be Okta-mastered (OKTA_GROUP): an app-sourced or built-in group's membership
 * cannot be changed through the API.
 */
async function checkOkta(config: ServiceConfig, flowsFile: string): Promise<Finding[]> {
  if (!config.okta) return [warn('not set up: grants fail saying so', 'set OKTA_ORG_URL and OKTA_API_TOKEN (or OKTA_CLIENT_ID + OKTA_PRIVATE_KEY)')];
  let flows: FlowsFile;
  try {
    flows = loadFlowsFile(flowsFile);
  } catch {
    return [warn(`cannot read the flows file ${flowsFile} to know which groups to check`, 'set GATEHOUSE_FLOWS (approval checks the file itself)')];
  }
  const client = oktaClient(config.okta, createLogger({ service: SERVICE, level: 'silent' }));
  const targets = new Map(flows.flows.flatMap((f) => f.targets.map((t) => [t.oktaGroupId, `${f.name}/${t.id}`] as const)));
  const others = new Set(flows.flows.flatMap((f) => [...f.approval.approvers.groups, ...f.approval.backupApprovers.groups, ...f.approval.autoApprove.groups]).filter((g) => !targets.has(g)));
  const findings: Finding[] = [];
  try {
    for (const [groupId, target] of targets) {
      const group = await client.group(groupId);
      if (!group) findings.push({ check: `okta group ${groupId}`, ...fail(`target ${target}: no such group in ${config.okta.orgUrl}`, 'fix oktaGroupId in the flows file') });
      else if (group.type !== 'OKTA_GROUP') {
        findings.push({ check: `okta group ${groupId}`, ...fail(`target ${target}: "${group.profile.name}" is ${group.type === 'APP_GROUP' ? 'an app-sourced group (APP_GROUP)' : `a ${group.type} group`}, whose membership Okta does not let anyone change`, 'grant an Okta-mastered group (OKTA_GROUP) instead, e.g. one assigned to that app') });
      } else findings.push({ check: `okta group ${groupId}`, ...pass(`target ${target}: "${group.profile.name}", membership can be granted`) });
    }
    for (const groupId of others) {
      const group = await client.group(groupId);
      findings.push({ check: `okta group ${groupId}`, ...(group ? pass(`approver or auto-approve group "${group.profile.name}" found`) : fail('an approver or auto-approve group that Okta does not have', 'fix the group id in the flows file')) });
    }
  } catch (error) {
    const status = error instanceof OktaError ? error.status : 0;
    const fix =
      status === 401 ? 'the credentials were refused: check OKTA_API_TOKEN (or OKTA_CLIENT_ID, OKTA_PRIVATE_KEY and its key id)'
      : status === 403 ? `the credentials lack a permission: grant the scopes ${config.okta.credentials.mode === 'oauth' ? 'okta.groups.manage and okta.users.read to the service app' : 'of a group admin to the token\'s admin'}`
      : 'check OKTA_ORG_URL and the network';
    return [{ check: 'okta credentials', ...fail(error instanceof Error ? error.message : String(error), fix) }];
  }
  return [{ check: 'okta credentials', ...pass(`${config.okta.credentials.mode === 'oauth' ? 'OAuth service app' : 'API token'} accepted by ${config.okta.orgUrl}`) }, ...findings];
}

/** `gatehouse doctor` for provisioning-okta: broker, database, and Okta with every group the flows name. */
void doctorMain(SERVICE, envSchema, (config) => [
  { name: 'kafka', run: () => checkKafka(config.kafka.brokers, config.kafka.topicPrefix, config.kafka.security) },
  { name: 'database', run: () => checkDatabase(config.database.url, SCHEMA, migrations) },
  { name: 'okta', run: () => checkOkta(config, process.env['GATEHOUSE_FLOWS'] || 'docs/examples/flows.yaml') },
]);
