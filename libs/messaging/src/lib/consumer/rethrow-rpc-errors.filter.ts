import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns every error into "Internal server error"; the Kafka
 * consumer needs the real error to choose between retry and dead-letter and to record the
 * reason. HTTP errors keep Nest's default handling.
 */
@Catch()
export class RethrowRpcErrorsFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
