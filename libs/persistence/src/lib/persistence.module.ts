import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { createServiceDataSource, databaseCheck, initializeDatabase, type ServiceDataSourceOptions } from './data-source';

const SCHEMA = Symbol('PERSISTENCE_SCHEMA');

@Injectable()
class PersistenceLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
    @Inject(SCHEMA) private readonly schema: string,
  ) {}

  onModuleInit(): void {
    this.health.register(`postgres:${this.schema}`, databaseCheck(this.dataSource), 2000);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The service's DataSource, connected and migrated before anything else starts. */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: ServiceDataSourceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: SCHEMA, useValue: options.schema },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createServiceDataSource(options);
            await initializeDatabase(dataSource, options.schema);
            return dataSource;
          },
        },
        PersistenceLifecycle,
      ],
      exports: [DataSource],
    };
  }
}
