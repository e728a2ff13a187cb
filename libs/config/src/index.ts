export * from './lib/load-config';
export * from './lib/env-fragments';
export * from './lib/load-config-or-exit';
export * from './lib/flows/duration';
export * from './lib/flows/flow.schema';
export * from './lib/flows/load-flows';
export * from './lib/slack-manifest';
export * from './lib/doctor/checks';
