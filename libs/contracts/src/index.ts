export * from './lib/envelope';
export * from './lib/topics';
export * from './lib/registry';
export * from './lib/messages/requester';
export * from './lib/messages/access-request-fields';
export * from './lib/messages/access-requested.event';
export * from './lib/messages/audit-query';
export * from './lib/reply';
