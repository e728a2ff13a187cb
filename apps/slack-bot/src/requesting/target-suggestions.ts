import type { App } from '@slack/bolt';
import type { Logger } from '@gatehouse/observability';
import { viaOf } from '../identity/slack-identity';
import { readMetadata } from './modal-metadata';
import type { OfferedFlows } from './offered-flows';
import { BLOCKS } from './request-modal';
import { matchingTargets, type SelectOption } from './target-options';

/**
 * Type-ahead for the target of a flow with more targets than one Slack list holds: Slack asks
 * (`block_suggestion`) with what was typed, and the answer is the acknowledgement itself —
 * the flow's matching targets, at most 100. The flow is the one in the view's metadata.
 */
export function registerTargetSuggestions(app: App, offered: OfferedFlows, logger: Logger): void {
  app.options<'block_suggestion'>({ type: 'block_suggestion', block_id: BLOCKS.target }, async ({ ack, body, client, context }) => {
    const flowName = readMetadata(body.view?.private_metadata).flow;
    let options: SelectOption[] = [];
    if (flowName) {
      const flows = await offered.reused(client, body.user.id, viaOf(context));
      const flow = flows.ok ? flows.flows.find((f) => f.name === flowName) : undefined;
      if (flow) options = matchingTargets(flow, body.value);
      else logger.info({ flow: flowName, user: body.user.id }, 'type-ahead for a flow not offered to this person; answered with no options');
    }
    await ack({ options });
  });
}
