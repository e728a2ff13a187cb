import { Controller, Get, Header, HttpCode, Module, Res, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { HealthRegistry } from './health';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { HttpObservabilityMiddleware } from './http-observability.middleware';

export const LOGGER = Symbol('LOGGER');

export interface ObservabilityOptions {
  service: string;
  logLevel?: string;
  /** An existing logger (main.ts creates one before Nest so start-up errors are logged too). */
  logger?: Logger;
}

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: Metrics,
  ) {}

  /** Liveness: the process answers. Dependencies are /readyz's business. */
  @Get('healthz')
  healthz(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const result = await this.health.runAll();
    res.status(result.status === 'up' ? 200 : 503).json(result);
  }

  @Get('metrics')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const logger = options.logger ?? createLogger({ service: options.service, level: options.logLevel });
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [HealthController],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics(options.service) },
        { provide: HealthRegistry, useValue: new HealthRegistry() },
        HttpObservabilityMiddleware,
      ],
      exports: [LOGGER, Metrics, HealthRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpObservabilityMiddleware).forRoutes('*path');
  }
}

