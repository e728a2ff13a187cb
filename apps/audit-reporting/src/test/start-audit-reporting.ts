import type { INestApplication } from '@nestjs/common';
import { loadConfig, type AuditDestination } from '@gatehouse/config';
import { startService } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import { AppModule } from '../app.module';
import { auditEnvSchema, SERVICE } from '../config';

/** audit-reporting in the test's process, its config read from `env` as at start-up, on a free port. */
export function startAuditReporting(env: Record<string, string | undefined>, logger: Logger, destinations: readonly AuditDestination[] = []): Promise<INestApplication> {
  return startService({ service: SERVICE, module: AppModule.register(loadConfig(auditEnvSchema, env), logger, destinations), logger, port: 0 });
}
