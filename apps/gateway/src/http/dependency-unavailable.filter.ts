import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isTransientError } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Response } from 'express';

/**
 * An error from PostgreSQL or the broker being unreachable (restarting, failing over) is not a
 * bug in the request: the client hears 503 with Retry-After, like any other moment Gatehouse
 * cannot take work, instead of a bare 500 (the chaos soak caught the token check answering 500
 * while PostgreSQL restarted). Everything else is Nest's to answer as usual.
 */
@Catch()
export class DependencyUnavailableFilter extends BaseExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    if (exception instanceof HttpException && exception.getStatus() === HttpStatus.SERVICE_UNAVAILABLE) {
      // A 503 said on purpose (a service or the token store unreachable) tells when to try again too.
      const response = host.switchToHttp().getResponse<Response>();
      if (!response.headersSent && !response.getHeader('Retry-After')) response.setHeader('Retry-After', '1');
      if (exception.cause) this.logger.warn({ err: exception.cause }, 'a dependency is unavailable; answered 503');
      return super.catch(exception, host);
    }
    if (!isTransientError(exception)) return super.catch(exception, host);
    const response = host.switchToHttp().getResponse<Response>();
    this.logger.warn({ err: exception }, 'a dependency is unavailable; answered 503');
    response
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .setHeader('Retry-After', '1')
      .json({ statusCode: 503, code: 'unavailable', message: 'Gatehouse cannot reach its database or message broker just now; try again in a moment' });
  }
}
