import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isTransientError } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { unavailable } from './refusal';
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
    // A dependency unreachable is answered as the same 503 as one said on purpose (a service or the token store unreachable).
    const answer = exception instanceof HttpException || !isTransientError(exception) ? exception : unavailable('Gatehouse cannot reach its database or message broker just now; try again in a moment', exception);
    if (answer instanceof HttpException && answer.getStatus() === HttpStatus.SERVICE_UNAVAILABLE) {
      const response = host.switchToHttp().getResponse<Response>();
      if (!response.headersSent && !response.getHeader('Retry-After')) response.setHeader('Retry-After', '1');
      if (answer.cause) this.logger.warn({ err: answer.cause }, 'a dependency is unavailable; answered 503');
    }
    return super.catch(answer, host);
  }
}
