import { Inject, Injectable } from '@nestjs/common';
import { Metrics, observeHttpRequest } from '@gatehouse/observability';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Counter, Gauge } from 'prom-client';
import { AdmissionGate, OverloadedError, UNGATED_API_ROUTES } from './admission-gate';

/** Seconds a turned-away caller is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

/** The gate's figures on /metrics. */
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

/** Whether a request path is admission-controlled: the API, but for its streamed exports. */
export function isGated(path: string): boolean {
  // Routing ignores case and a trailing slash, so the gate does too.
  const route = path.toLowerCase().replace(/\/+$/, '');
  return route.startsWith('/api/v1/') && !(UNGATED_API_ROUTES as readonly string[]).includes(route);
}

/**
 * The API's front door under load, the first thing a request meets (before its body is read
 * and parsed, before authentication): each request takes a slot of the AdmissionGate for as
 * long as it is being answered; with none to be had it is answered at once, honestly — 503 with
 * Retry-After and why — rather than waiting in an unbounded queue inside the services. Turning
 * a request away costs next to nothing, so a burst of them does not take the CPU the admitted
 * ones need (behind Nest's middleware, each was parsed, logged and answered through Express's
 * JSON path first).
 */
export function admissionFront(gate: AdmissionGate, admissionMetrics: AdmissionMetrics, metrics: Metrics): RequestHandler {
  const shed = (req: Request, res: Response, message: string): void => {
    admissionMetrics.shed.inc();
    observeHttpRequest(metrics, req, res);
    const body = JSON.stringify({ statusCode: 503, error: 'Service Unavailable', code: 'overloaded', message, retryAfterSeconds: RETRY_AFTER_SECONDS });
    // The body of a request turned away is never read; node discards it and keeps the connection.
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': String(RETRY_AFTER_SECONDS) });
    res.end(body);
  };
  const admitted = (res: Response, release: () => void, next: NextFunction): void => {
    // Let in from the queue after its caller went away: 'close' has fired already and would
    // never give the slot back.
    if (res.closed) return release();
    res.once('finish', release);
    res.once('close', release);
    next();
  };
  return (req, res, next) => {
    if (!isGated(req.path)) return next();
    const release = gate.tryAcquire();
    if (release) return admitted(res, release, next);
    if (!gate.mayWait) return shed(req, res, gate.busyMessage());
    gate.acquire().then(
      (slot) => admitted(res, slot, next),
      (error: unknown) => (error instanceof OverloadedError ? shed(req, res, error.message) : next(error)),
    );
  };
}
