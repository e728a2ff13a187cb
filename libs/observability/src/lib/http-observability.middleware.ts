import { Injectable, type NestMiddleware } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithCorrelation } from './correlation';
import { Metrics } from './metrics';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Gives every HTTP request a correlation id (the caller's `x-correlation-id` if it is a
 * uuid), echoes it back, and records count and duration per route.
 */
@Injectable()
export class HttpObservabilityMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const header = req.header('x-correlation-id');
    const correlationId = header && UUID.test(header) ? header : randomUUID();
    res.setHeader('x-correlation-id', correlationId);
    const stop = this.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = routeOf(req);
      stop({ method: req.method, route });
      this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    runWithCorrelation({ correlationId }, () => next());
  }
}

function routeOf(req: Request): string {
  if (QUIET_PATHS.has(req.path)) return req.path;
  const route = (req as Request & { route?: { path?: string } }).route?.path;
  return route ? `${req.baseUrl}${route}` : 'unmatched';
}
