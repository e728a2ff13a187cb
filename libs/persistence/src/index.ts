export * from './lib/data-source';
