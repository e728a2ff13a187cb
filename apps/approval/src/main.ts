import 'reflect-metadata';
import { loadConfigOrExit, loadFlowsOrExit } from '@gatehouse/config';
import { runMain, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { AppModule } from './app.module';
import { approvalEnvSchema, IN_FLIGHT, SERVICE } from './config';

const config = loadConfigOrExit(SERVICE, approvalEnvSchema);
const logger = createLogger({ service: SERVICE, level: config.logLevel, format: config.logFormat });

const flows = loadFlowsOrExit(SERVICE, config.flowsFile);

runMain(SERVICE, logger, () =>
  startService({
    service: SERVICE,
    module: AppModule.register(config, flows, logger),
    logger,
    consumer: { maxInFlight: IN_FLIGHT },
    port: config.http.port,
    host: config.http.host,
  }),
);
