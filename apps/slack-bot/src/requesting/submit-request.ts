import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import type { Problem } from '@gatehouse/contracts';
import { KafkaRequester, RequestTimeoutError } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import type { DmChannels } from '../identity/dm-channels';
import { SlackIdentity, viaOf } from '../identity/slack-identity';
import { BLOCKS, readRequestModal, REQUEST_MODAL } from './request-modal';
import { submittedMessage } from './request-summary';

/** Where each of approval's problems is shown in the modal. */
function errorsOf(problems: readonly Problem[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) {
    const block = problem.field === 'durationSeconds' ? BLOCKS.durationSeconds : problem.field === 'reason' ? BLOCKS.reason : BLOCKS.target;
    errors[block] = errors[block] ? `${errors[block]}; ${problem.message}` : problem.message;
  }
  return errors;
}

/**
 * The request modal submitted: approval makes the request for the Slack user of the
 * delivery. A rule it breaks is shown in the modal (nothing is lost); once it is made, the
 * modal closes and the requester gets a DM with where it stands and "Cancel request".
 */
export function registerRequestSubmission(app: App, requester: KafkaRequester, identity: SlackIdentity, dms: DmChannels, logger: Logger): void {
  app.view(REQUEST_MODAL, async ({ ack, body, view, client, context }) => {
    const input = readRequestModal(view.state.values as never, view.private_metadata);
    if ('errors' in input) return ack({ response_action: 'errors', errors: input.errors });
    const who = await identity.of(client, body.user.id, viaOf(context));
    if (!who.ok) return ack({ response_action: 'errors', errors: { [BLOCKS.target]: who.message } });
    const requestId = randomUUID();
    let reply;
    try {
      reply = await requester.request('access.request.create', requestId, { ...input, requestId, principal: who.principal });
    } catch (error) {
      if (!(error instanceof RequestTimeoutError)) throw error;
      // The command is in Kafka and will be handled; say so rather than show an error.
      await ack();
      await dms.post(client, body.user.id, 'request queued', { text: 'Your request is in and will be sent to the approvers shortly; I will message you here when it is decided.' });
      return;
    }
    if (reply.outcome === 'rejected') return ack({ response_action: 'errors', errors: errorsOf(reply.problems) });
    if (reply.outcome === 'forbidden') return ack({ response_action: 'errors', errors: { [BLOCKS.target]: reply.message } });
    await ack();
    await dms.post(client, body.user.id, 'request submitted', submittedMessage(reply.request)).catch((error: unknown) => logger.warn({ err: error, requestId }, 'could not DM the requester'));
  });
}
