import { isTransientError, NonRetryableError, TransientError } from './errors';

describe('isTransientError', () => {
  it('takes a dependency being down for transient', () => {
    const timeout = Object.assign(new Error('no reply to "access.request.get" within 5000 ms'), { name: 'RequestTimeoutError' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const wrapped = Object.assign(new Error('QueryFailedError'), { driverError: Object.assign(new Error('x'), { code: '08006' }) });
    const kafka = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    const retriableProtocol = Object.assign(new Error('This server is not the leader for that topic-partition'), { name: 'KafkaJSProtocolError', retriable: true });
    for (const error of [new TransientError('Okta answered 503'), timeout, refused, shutdown, wrapped, kafka, retriableProtocol, new Error('Connection terminated unexpectedly'), new Error('timeout exceeded when trying to connect')]) expect(isTransientError(error)).toBe(true);
  });

  it('takes a failure of the message itself for what it is', () => {
    const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const protocol = Object.assign(new Error('Message too large'), { name: 'KafkaJSProtocolError', retriable: false });
    for (const error of [new NonRetryableError('bad reference'), new TypeError('x is undefined'), unique, protocol, 'a string', undefined]) expect(isTransientError(error)).toBe(false);
  });
});
