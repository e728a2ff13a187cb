import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, type Logger } from '@gatehouse/observability';
import { connectKafkaConsumer, type ConsumerOptions } from './messaging.module';
import { explainStartupError, WiringError } from './startup-errors';

export interface StartServiceOptions {
  service: string;
  module: unknown;
  logger: Logger;
  port: number;
  host?: string;
  /** Consumer settings; what it subscribes to comes from the service's handlers. */
  consumer?: ConsumerOptions;
  /** Keep each request's raw bytes (`req.rawBody`): what a signature is checked on. */
  rawBody?: boolean;
  /**
   * Express middleware that must run before Nest's own (body parsers, module middleware): what
   * can answer a request without reading it. Given the app, to get its providers.
   */
  front?: (app: INestApplication) => Parameters<INestApplication['use']>[0];
}

/** Connections the kernel holds for a service before it accepts them. */
export const LISTEN_BACKLOG = 4096;

/**
 * Listens with a deep accept queue: under a burst of new connections a busy process accepts
 * late, and past node's default of 511 the kernel drops the handshake — the client retries after
 * 1 s, then 3 s (session 24: the gateway's queue full at 500 requests/s offered, requests waiting
 * 1.5–4 s before it built their command). Capped by the host's net.core.somaxconn.
 */
export async function listenWithBacklog(app: INestApplication, port: number, host: string): Promise<void> {
  // Nest hands extra arguments on to node's server.listen(port, host, backlog); its types do not say so.
  const listen = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
  await listen(port, host, LISTEN_BACKLOG);
}

/**
 * Every Gatehouse service is one process: HTTP (API, or probes and metrics) and its Kafka
 * consumer side by side (it consumes the topics of its handlers' message types; a service
 * without handlers consumes nothing). Stops cleanly on SIGTERM/SIGINT so in-flight work
 * finishes. A provider a part of it needs and nobody provides stops it here, named.
 */
export async function startService(options: StartServiceOptions): Promise<INestApplication> {
  const { logger } = options;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  let app: INestApplication;
  try {
    // abortOnError: false, so a wiring error reaches the caller (and runMain's message) instead of process.abort().
    app = await NestFactory.create(options.module as never, { logger: new PinoNestLogger(logger), bufferLogs: true, abortOnError: false, rawBody: options.rawBody ?? false });
  } catch (error) {
    throw explainStartupError(options.service, error);
  }
  app.enableShutdownHooks();
  try {
    // Before init(), which adds the body parsers and the modules' middleware after it.
    if (options.front) app.use(options.front(app));
    connectKafkaConsumer(app, options.service, options.consumer);
    // Bootstrap first (topics, the requester's reply consumer, the outbox relay), so the first
    // message consumed can already ask other services and publish.
    await app.init();
    await app.startAllMicroservices();
    await listenWithBacklog(app, options.port, options.host ?? '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  logger.info({ port: options.port }, `${options.service} ready on http://${options.host ?? '127.0.0.1'}:${options.port}`);
  return app;
}

/** Wraps main(): a start-up failure is logged with what to check, and the process exits 1. */
export function runMain(service: string, logger: Logger, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    // A wiring error says itself which service, what is wrong and what to change.
    const message =
      error instanceof WiringError
        ? error.message
        : `${service} failed to start: ${error instanceof Error ? error.message : String(error)} — check that Kafka and PostgreSQL are reachable (npm run kafka -- status) and the configuration is right`;
    logger.fatal({ err: error }, message);
    logger.flush?.();
    setTimeout(() => process.exit(1), 100);
  });
}
