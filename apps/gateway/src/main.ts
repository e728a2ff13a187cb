import 'reflect-metadata';
import { loadConfigOrExit } from '@gatehouse/config';
import { runMain, startService } from '@gatehouse/messaging';
import { createLogger, Metrics } from '@gatehouse/observability';
import { AppModule } from './app.module';
import { gatewayEnvSchema, SERVICE } from './config';
import { AdmissionGate } from './http/admission/admission-gate';
import { admissionFront, AdmissionMetrics } from './http/admission/admission.middleware';

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
    // When the gate is full, a request is turned away before it is read or parsed.
    front: (app) => admissionFront(app.get(AdmissionGate), app.get(AdmissionMetrics), app.get(Metrics)),
  }),
);
