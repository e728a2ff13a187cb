export * from './lib/correlation';
export * from './lib/logger';
export * from './lib/nest-logger';
export * from './lib/metrics';
export * from './lib/health';
export * from './lib/observability.module';
export { observeHttpRequest } from './lib/http-observability.middleware';
