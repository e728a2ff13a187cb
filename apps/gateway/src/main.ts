import 'reflect-metadata';
import { loadConfigOrExit } from '@gatehouse/config';
import { runMain, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { AppModule } from './app.module';
import { gatewayEnvSchema, SERVICE } from './config';

const config = loadConfigOrExit(SERVICE, gatewayEnvSchema);
const logger = createLogger({ service: SERVICE, level: config.logLevel, format: config.logFormat });

runMain(SERVICE, logger, () =>
  startService({
    service: SERVICE,
    module: AppModule.register(config, logger),
    logger,
    port: config.http.port,
    host: config.http.host,
    rawBody: true,
  }),
);
