import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { Metrics } from '@gatehouse/observability';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge } from 'prom-client';
import { AdmissionGate, OverloadedError } from './admission-gate';

/** Seconds a turned-away caller is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

/** The gate's figures on /metrics (one set per process: Nest may make the middleware more than once). */
@Injectable()
export class AdmissionMetrics {
  readonly shed: Counter;

  constructor(@Inject(AdmissionGate) gate: AdmissionGate, @Inject(Metrics) metrics: Metrics) {
    this.shed = new Counter({ name: 'gatehouse_admission_shed_total', help: 'API requests turned away with 503 because the gateway was at its limit', registers: [metrics.registry] });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [metrics.registry],
        collect() {
          this.set(read());
        },
      });
    gauge('gatehouse_admission_limit', 'API requests the gateway works on at once (adapts to latency)', () => gate.limit);
    gauge('gatehouse_admission_in_flight', 'API requests being worked on', () => gate.inFlight);
    gauge('gatehouse_admission_queued', 'API requests waiting for a slot', () => gate.queued);
  }
}

/**
 * The API's front door under load: each request takes a slot of the AdmissionGate for as long
 * as it is being answered; with none to be had it is answered at once, honestly — 503 with
 * Retry-After and why — rather than waiting in an unbounded queue inside the services.
 */
@Injectable()
export class AdmissionMiddleware implements NestMiddleware {
  constructor(
    @Inject(AdmissionGate) private readonly gate: AdmissionGate,
    @Inject(AdmissionMetrics) private readonly metrics: AdmissionMetrics,
  ) {}

  async use(_req: Request, res: Response, next: NextFunction): Promise<void> {
    let release: () => void;
    try {
      release = await this.gate.acquire();
    } catch (error) {
      if (!(error instanceof OverloadedError)) throw error;
      this.metrics.shed.inc();
      res
        .status(503)
        .setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
        .json({ statusCode: 503, error: 'Service Unavailable', code: 'overloaded', message: error.message, retryAfterSeconds: RETRY_AFTER_SECONDS });
      return;
    }
    res.once('finish', release);
    res.once('close', release);
    next();
  }
}
