import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import type { Logger } from '@gatehouse/observability';
import { viaOf } from '../identity/slack-identity';
import { slackFailureOf } from '../slack-api/slack-failure';
import type { OfferedFlows } from './offered-flows';
import { CHOOSE_FLOW, noticeModal, requestModal } from './request-modal';

/**
 * A flow chosen in the request modal (its select dispatches at once): acknowledged, then the
 * modal is updated to show that flow's targets, durations and reason hint. The update carries
 * the view's hash, so Slack refuses it (`hash_conflict`) if the view changed meanwhile — a
 * later choice's update wins instead of being overwritten by this older one.
 */
export function registerFlowChoice(app: App, offered: OfferedFlows, logger: Logger): void {
  app.action<BlockAction<StaticSelectAction>>(CHOOSE_FLOW, async ({ ack, body, action, client, context }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const flows = await offered.reused(client, body.user.id, viaOf(context));
    const next = flows.ok ? requestModal(flows.flows, action.selected_option?.value) : noticeModal(flows.message);
    await client.views.update({ view_id: view.id, hash: view.hash, view: next as never }).catch((error: unknown) => {
      const failure = slackFailureOf(error);
      if (failure.code === 'hash_conflict') logger.info({ viewId: view.id }, 'request modal changed before its flow update; the later update stands');
      else logger.warn({ err: error, error: failure.code }, "could not show the chosen flow's choices in the request modal");
    });
  });
}
