import { createServiceDataSource } from './data-source';

describe('createServiceDataSource', () => {
  const options = { url: 'postgres://x@127.0.0.1/db', entities: [], migrations: [], applicationName: 'test' };

  it('never synchronizes the schema and keeps migrations in the service schema', () => {
    const ds = createServiceDataSource({ ...options, schema: 'approval' });
    expect(ds.options).toMatchObject({ synchronize: false, migrationsRun: false, schema: 'approval', migrationsTableName: 'migrations' });
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => createServiceDataSource({ ...options, schema: 'approval; drop table x' })).toThrow(/invalid schema name/);
  });
});
