import { AuditDestinationsError, loadAuditDestinations, type AuditDestinationsFile } from './audit/audit-destinations.schema';
import type { z } from 'zod';
import type { FlowsFile } from './flows/flow.schema';
import { FlowsFileError, loadFlowsFile } from './flows/load-flows';
import { ConfigError, loadConfig } from './load-config';

/** For main.ts: a bad configuration stops the service with a message naming each variable. */
export function loadConfigOrExit<TSchema extends z.ZodType>(service: string, schema: TSchema): z.output<TSchema> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  }
}

/** For main.ts: a flows file that is not valid stops the service, naming file, line and field. */
export function loadFlowsOrExit(service: string, file: string): FlowsFile {
  try {
    return loadFlowsFile(file);
  } catch (error) {
    if (!(error instanceof FlowsFileError)) throw error;
    process.stderr.write(`${service}: GATEHOUSE_FLOWS=${file} is not valid. ${error.message}\n`);
    process.exit(1);
  }
}

/** The audit destinations file, or the process stops naming file, line and field of each problem. */
export function loadAuditDestinationsOrExit(service: string, file: string): AuditDestinationsFile {
  try {
    return loadAuditDestinations(file);
  } catch (error) {
    if (!(error instanceof AuditDestinationsError)) throw error;
    process.stderr.write(`${service}: GATEHOUSE_AUDIT_DESTINATIONS=${file} is not valid. ${error.message}\n`);
    process.exit(1);
  }
}
