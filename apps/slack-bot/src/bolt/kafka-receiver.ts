import type { App, Receiver } from '@slack/bolt';
import type { SlackDelivery } from '@gatehouse/contracts';
import { releaseDeadline } from '@gatehouse/messaging';

/** The HTTP body Slack should get back: nothing, a text, or JSON (modal errors, options…). */
export type AckBody = string | Record<string, unknown> | undefined;

/**
 * Bolt's receiver for deliveries the gateway proved and passed on over Kafka. `deliver`
 * resolves with the acknowledgement as soon as a listener calls `ack()`, while the listener
 * carries on (calls to Slack come after the ack, never before it).
 */
export class KafkaDeliveryReceiver implements Receiver {
  private app?: App;

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  deliver(delivery: SlackDelivery, onError: (error: unknown) => void): Promise<AckBody> {
    const app = this.app;
    if (!app) throw new Error('the Bolt app is not initialised');
    return new Promise<AckBody>((resolve) => {
      let acked = false;
      const ack = async (response?: unknown): Promise<void> => {
        if (acked) return;
        acked = true;
        // The gateway waits for the ack, not for what the listener does after it.
        releaseDeadline();
        resolve(toAckBody(response));
      };
      app
        .processEvent({
          body: delivery.body,
          ack,
          retryNum: delivery.retryNum,
          retryReason: delivery.retryReason,
          // How the gateway proved it, for the principal listeners act as (see SlackIdentity).
          customProperties: { gatehouseProof: delivery.proof, ...(delivery.relayTokenId ? { gatehouseRelayToken: delivery.relayTokenId } : {}) },
        })
        .catch(onError)
        // A listener that never acknowledged: Slack gets an empty 200.
        .finally(() => void ack());
    });
  }
}

function toAckBody(response: unknown): AckBody {
  if (response === undefined || response === null || response === '') return undefined;
  if (typeof response === 'string') return response;
  if (typeof response === 'object' && !Array.isArray(response)) return response as Record<string, unknown>;
  return String(response);
}
