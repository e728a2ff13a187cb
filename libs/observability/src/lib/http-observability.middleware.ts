import { Injectable, type NestMiddleware } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithCorrelation } from './correlation';
import { Metrics } from './metrics';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Gives an HTTP request its correlation id (the caller's `x-correlation-id` if it is a uuid),
 * echoes it back, and records count and duration per route once it is answered. Also for
 * what is answered before Nest's middleware runs (the gateway's admission control).
 */
export function observeHttpRequest(metrics: Metrics, req: Request, res: Response): string {
  const header = req.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && UUID.test(header) ? header : randomUUID();
  res.setHeader('x-correlation-id', correlationId);
  const stop = metrics.httpDuration.startTimer();
  res.on('finish', () => {
    const route = routeOf(req);
    stop({ method: req.method, route });
    metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
  });
  return correlationId;
}

/** observeHttpRequest for every request Nest routes, with the id as its correlation context. */
@Injectable()
export class HttpObservabilityMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const correlationId = observeHttpRequest(this.metrics, req, res);
    runWithCorrelation({ correlationId }, () => next());
  }
}

function routeOf(req: Request): string {
  if (QUIET_PATHS.has(req.path)) return req.path;
  const route = (req as Request & { route?: { path?: string } }).route?.path;
  return route ? `${req.baseUrl}${route}` : 'unmatched';
}
