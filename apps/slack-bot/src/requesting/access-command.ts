import type { App } from '@slack/bolt';
import { ACCESS_COMMAND, REQUEST_ACCESS_SHORTCUT } from '@gatehouse/config';
import { KafkaRequester } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import type { DmChannels } from '../identity/dm-channels';
import { SlackIdentity, viaOf } from '../identity/slack-identity';
import { randomUUID } from 'node:crypto';
import { registerFlowChoice } from './choose-flow';
import { OfferedFlows } from './offered-flows';
import { requestModal } from './request-modal';
import { registerTargetSuggestions } from './target-suggestions';
import { describeQuick, parseQuickRequest, QUICK_USAGE } from './quick-request';
import { submittedMessage } from './request-summary';
import { registerFindAccess } from './find-access';

export const ACCESS_HELP = [
  '*Gatehouse: temporary access, approved in Slack*',
  '`/access` — ask for access: choose what, for how long, and why',
  `${QUICK_USAGE} — ask in one line`,
  '`/access list` — your requests and where they stand',
  '`/access help` — this message',
].join('\n');

/**
 * `/access`: help and the list answer in the acknowledgement itself; the request modal opens
 * right after the ack (the trigger id lives 3 s), with the flows approval offers this person.
 * `/access <flow>` opens it with that flow chosen. The modal's own listeners (a flow chosen,
 * type-ahead for targets) are registered here too.
 */
export function registerAccessCommand(app: App, requester: KafkaRequester, identity: SlackIdentity, dms: DmChannels, logger: Logger): OfferedFlows {
  const offered = new OfferedFlows(requester, identity);
  registerFlowChoice(app, offered, logger);
  registerTargetSuggestions(app, offered, logger);
  registerFindAccess(app, offered, dms, logger);

  // The "Request access" global shortcut opens the same form.
  app.shortcut(REQUEST_ACCESS_SHORTCUT, async ({ shortcut, ack, client, context }) => {
    await ack();
    const flows = await offered.fresh(client, shortcut.user.id, viaOf(context));
    if (!flows.ok) return void (await dms.post(client, shortcut.user.id, 'why no flow is offered', { text: flows.message }));
    await client.views.open({ trigger_id: shortcut.trigger_id, view: requestModal(flows.flows) as never });
  });

  app.command(ACCESS_COMMAND, async ({ command, ack, client, context }) => {
    const [verb] = command.text.trim().split(/\s+/);
    if (verb === 'help') return ack({ response_type: 'ephemeral', text: ACCESS_HELP });
    const who = await identity.of(client, command.user_id, viaOf(context));
    if (!who.ok) return ack({ response_type: 'ephemeral', ...identity.say(who.message) } as never);
    if (verb === 'list') {
      const reply = await requester.request('access.request.list', who.email, { principal: who.principal, requesterEmail: who.email, limit: 20 });
      const lines = reply.ok ? reply.requests.map((r) => `• ${r.targetLabel} (${r.flow}) — ${r.status.toLowerCase()}`) : [reply.message];
      return ack({ response_type: 'ephemeral', text: lines.length ? `*Your requests*\n${lines.join('\n')}` : 'You have no requests yet. `/access` asks for one.' });
    }
    const words = command.text.trim().split(/\s+/);
    let chosen: string | undefined;
    if (verb && words.length === 1) {
      // Only a flow's name: the form, with that flow chosen.
      const flows = await offered.fresh(client, command.user_id, viaOf(context));
      if (flows.ok && flows.flows.some((f) => f.name === verb)) chosen = verb;
    }
    if (verb && !chosen) {
      const quick = parseQuickRequest(command.text);
      if (!quick.ok) return ack({ response_type: 'ephemeral', text: quick.message });
      const { ok: _ok, ...fields } = quick;
      const requestId = randomUUID();
      const reply = await requester.request('access.request.create', requestId, { ...fields, requestId, principal: who.principal });
      if (reply.outcome === 'forbidden') return ack({ response_type: 'ephemeral', ...identity.say(reply.message) } as never);
      if (reply.outcome === 'rejected') {
        return ack({ response_type: 'ephemeral', text: `Gatehouse cannot ask for ${describeQuick(quick)}:\n${reply.problems.map((p) => `• ${p.message}`).join('\n')}` });
      }
      const summary = submittedMessage(reply.request);
      return ack({ response_type: 'ephemeral', text: summary.text, blocks: summary.blocks as never });
    }
    await ack();
    // `/access <flow>` has just asked: that answer is reused.
    const flows = chosen ? await offered.reused(client, command.user_id, viaOf(context)) : await offered.fresh(client, command.user_id, viaOf(context));
    if (!flows.ok) {
      await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: flows.message });
      return;
    }
    const opened = await client.views.open({ trigger_id: command.trigger_id, view: requestModal(flows.flows, chosen) as never }).catch((error: unknown) => error);
    if (opened instanceof Error) {
      logger.warn({ err: opened }, 'could not open the request modal');
      await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: 'Slack did not open the request form in time; please run `/access` again.' });
    }
  });
  return offered;
}
