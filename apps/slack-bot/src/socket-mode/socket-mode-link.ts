import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SocketModeClient } from '@slack/socket-mode';
import { HealthRegistry, LOGGER, type Logger } from '@gatehouse/observability';
import { boltLogger } from '../bolt/bolt-logger';
import { SLACK_BOT_CONFIG, type ServiceConfig } from '../config';
import { SlackDeliveries } from '../deliveries/slack-deliveries';
import { fatalSocketModeProblem, socketModeStartProblem } from './socket-mode-problems';

/** What Socket Mode hands a listener of `slack_event`. */
interface SocketEnvelope {
  ack: (response?: Record<string, unknown> | string) => Promise<void>;
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

type LinkState = { state: 'connecting' } | { state: 'connected' } | { state: 'stopped'; reason: string };

/**
 * Socket Mode (with SLACK_APP_TOKEN): slack-bot opens the connection to Slack itself, so no
 * inbound URL is needed at all. Every envelope goes to the same place as a delivery from the
 * gateway (SlackDeliveries) and is acknowledged with its listener's answer. The client
 * reconnects on its own (Slack's `disconnect` before recycling a connection, a dropped network),
 * with a growing wait between attempts; what cannot heal (a revoked token, Socket Mode turned
 * off in the app) stops the link and says what to do, and `/readyz` reports it.
 */
@Injectable()
export class SocketModeLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private client?: SocketModeClient;
  private link: LinkState = { state: 'connecting' };
  private readonly log: Logger;

  constructor(
    @Inject(SLACK_BOT_CONFIG) private readonly config: ServiceConfig,
    private readonly deliveries: SlackDeliveries,
    health: HealthRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'socket-mode' });
    if (config.slack.appToken) health.register('slack-socket-mode', async () => this.check());
  }

  onApplicationBootstrap(): void {
    const appToken = this.config.slack.appToken;
    if (!appToken) return;
    const client = new SocketModeClient({ appToken, clientOptions: { slackApiUrl: this.config.slack.apiUrl }, logger: boltLogger(this.log), autoReconnectEnabled: true });
    this.client = client;
    client.on('slack_event', (envelope: SocketEnvelope) => void this.onEnvelope(envelope));
    client.on('ws_message', (data: unknown) => this.watchForFatal(data));
    client.on('connected', () => {
      if (this.link.state === 'stopped') return;
      this.link = { state: 'connected' };
      this.log.info('Socket Mode connected: taking Slack deliveries over the WebSocket');
    });
    client.on('reconnecting', () => {
      if (this.link.state === 'stopped') return;
      this.link = { state: 'connecting' };
      this.log.info('Socket Mode reconnecting');
    });
    // Not awaited: Slack being away must not keep the service from starting.
    client.start().catch((error: unknown) => this.stop(socketModeStartProblem(error)));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.disconnect().catch(() => undefined);
  }

  private check(): void {
    if (this.link.state === 'connected') return;
    throw new Error(this.link.state === 'stopped' ? this.link.reason : 'Socket Mode is connecting to Slack');
  }

  private async onEnvelope(envelope: SocketEnvelope): Promise<void> {
    let answer: string | Record<string, unknown> | undefined;
    try {
      answer = await this.deliveries.receive({
        proof: 'socket_mode',
        body: envelope.body,
        ...(envelope.retry_num ? { retryNum: envelope.retry_num } : {}),
        ...(envelope.retry_reason ? { retryReason: envelope.retry_reason } : {}),
      });
    } catch (error) {
      // Slack still gets its ack (an empty one), so it does not resend what failed here.
      this.log.error({ err: error, type: envelope.type }, 'a Socket Mode delivery failed');
    }
    await envelope.ack(answer).catch((error: unknown) => this.log.warn({ err: error, type: envelope.type }, 'could not acknowledge a Socket Mode envelope; Slack may send it again'));
  }

  /** Slack's `disconnect` with `link_disabled`: reconnecting would be refused again and again. */
  private watchForFatal(data: unknown): void {
    const text = typeof data === 'string' ? data : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? Buffer.from(data as ArrayBuffer).toString('utf8') : undefined;
    if (!text || !text.includes('"disconnect"')) return;
    const problem = fatalSocketModeProblem(text);
    if (problem) this.stop(problem);
  }

  private stop(reason: string): void {
    if (this.link.state === 'stopped') return;
    this.link = { state: 'stopped', reason };
    this.log.error(reason);
    void this.client?.disconnect().catch(() => undefined);
  }
}
