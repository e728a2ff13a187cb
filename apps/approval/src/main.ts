import 'reflect-metadata';
import { FlowsFileError, loadConfigOrExit, loadFlowsFile, type FlowsFile } from '@gatehouse/config';
import { runMain, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { AppModule } from './app.module';
import { approvalEnvSchema, SERVICE } from './config';

const config = loadConfigOrExit(SERVICE, approvalEnvSchema);
const logger = createLogger({ service: SERVICE, level: config.logLevel });

function loadFlowsOrExit(file: string): FlowsFile {
  try {
    return loadFlowsFile(file);
  } catch (error) {
    if (!(error instanceof FlowsFileError)) throw error;
    process.stderr.write(`${SERVICE}: GATEHOUSE_FLOWS=${file} is not valid. ${error.message}\n`);
    process.exit(1);
  }
}
const flows = loadFlowsOrExit(config.flowsFile);

runMain(SERVICE, logger, () =>
  startService({
    service: SERVICE,
    module: AppModule.register(config, flows, logger),
    logger,
    port: config.http.port,
    host: config.http.host,
  }),
);
