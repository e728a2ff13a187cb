import 'reflect-metadata';
import { loadAuditDestinationsOrExit, loadConfigOrExit } from '@gatehouse/config';
import { runMain, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { AppModule } from './app.module';
import { auditEnvSchema, SERVICE } from './config';

const config = loadConfigOrExit(SERVICE, auditEnvSchema);
const logger = createLogger({ service: SERVICE, level: config.logLevel, format: config.logFormat });
const destinations = config.destinationsFile ? loadAuditDestinationsOrExit(SERVICE, config.destinationsFile).destinations : [];

runMain(SERVICE, logger, () =>
  startService({
    service: SERVICE,
    module: AppModule.register(config, logger, destinations),
    logger,
    port: config.http.port,
    host: config.http.host,
  }),
);
