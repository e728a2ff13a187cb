import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, type Logger } from '@gatehouse/observability';
import { connectKafkaConsumer, type ConsumerOptions } from './messaging.module';

export interface StartServiceOptions {
  service: string;
  module: unknown;
  logger: Logger;
  port: number;
  host?: string;
  consumer?: ConsumerOptions;
}

/**
 * Every Gatehouse service is one process: HTTP (API or probes and metrics) and its Kafka
 * consumer side by side. Stops cleanly on SIGTERM/SIGINT so in-flight work finishes.
 */
export async function startService(options: StartServiceOptions): Promise<INestApplication> {
  const { logger } = options;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  const app = await NestFactory.create(options.module as never, { logger: new PinoNestLogger(logger), bufferLogs: true });
  app.enableShutdownHooks();
  if (options.consumer) connectKafkaConsumer(app, options.service, options.consumer);
  await app.startAllMicroservices();
  await app.listen(options.port, options.host ?? '127.0.0.1');
  logger.info({ port: options.port }, `${options.service} ready on http://${options.host ?? '127.0.0.1'}:${options.port}`);
  return app;
}

/** Wraps main(): a start-up failure is logged with what to check, and the process exits 1. */
export function runMain(service: string, logger: Logger, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    logger.fatal({ err: error }, `${service} failed to start: ${error instanceof Error ? error.message : String(error)} — check that Kafka and PostgreSQL are reachable (npm run kafka -- status) and the configuration is right`);
    logger.flush?.();
    setTimeout(() => process.exit(1), 100);
  });
}
