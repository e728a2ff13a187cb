import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { Metrics, observeHttpRequest } from '@gatehouse/observability';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Counter, Gauge } from 'prom-client';
import { AdmissionGate, OverloadedError, UNGATED_API_ROUTES, type Release } from './admission-gate';

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

/** 503 with Retry-After and why, as JSON, written directly (no Express JSON path, no etag). */
function turnAway(res: Response, message: string): void {
  const body = JSON.stringify({ statusCode: 503, error: 'Service Unavailable', code: 'overloaded', message, retryAfterSeconds: RETRY_AFTER_SECONDS });
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': String(RETRY_AFTER_SECONDS) });
  res.end(body);
}

/**
 * The API's front door under overload, the first thing a request meets (before its body is
 * read and parsed, before authentication): when the gate has no free slot and no room to wait,
 * the request is turned away at once — 503 with Retry-After and why — and what it sent is only
 * read to be thrown away (node does that, keeping the connection). Turning hundreds a second
 * away then costs next to nothing, where each used to be parsed, logged and answered through
 * Express's JSON path first. Otherwise it goes on, and AdmissionMiddleware takes its slot once
 * its body is in: a slow upload neither holds a slot nor counts as the system's latency.
 */
export function admissionFront(gate: AdmissionGate, admissionMetrics: AdmissionMetrics, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    if (!gate.full || !isGated(req.path)) return next();
    admissionMetrics.shed.inc();
    observeHttpRequest(metrics, req, res);
    turnAway(res, gate.busyMessage());
  };
}

/**
 * Admission proper, behind the body parsers and the request's metrics: each API request takes a
 * slot of the AdmissionGate for as long as it is being answered; with none to be had (after a
 * brief wait) it is turned away — rather than waiting in an unbounded queue inside the services.
 */
@Injectable()
export class AdmissionMiddleware implements NestMiddleware {
  constructor(
    @Inject(AdmissionGate) private readonly gate: AdmissionGate,
    @Inject(AdmissionMetrics) private readonly metrics: AdmissionMetrics,
  ) {}

  use(_req: Request, res: Response, next: NextFunction): void {
    const release = this.gate.tryAcquire();
    if (release) return admitted(res, release, next);
    if (!this.gate.mayWait) return this.shed(res, this.gate.busyMessage());
    this.gate.acquire().then(
      (slot) => admitted(res, slot, next),
      (error: unknown) => (error instanceof OverloadedError ? this.shed(res, error.message) : next(error)),
    );
  }

  private shed(res: Response, message: string): void {
    this.metrics.shed.inc();
    turnAway(res, message);
  }
}

function admitted(res: Response, release: Release, next: NextFunction): void {
  // Let in from the queue after its caller went away: 'close' has fired already and would never
  // give the slot back. Given back at once, without its time steering the limit.
  if (res.closed) return release(true);
  res.once('finish', () => release());
  res.once('close', () => release());
  next();
}
