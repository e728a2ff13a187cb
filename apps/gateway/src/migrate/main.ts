import 'reflect-metadata';
import { migrateMain } from '@gatehouse/persistence';
import { SCHEMA, SERVICE } from '../config';
import { migrations } from '../database';

/** Applies gateway's migrations and exits (the Helm chart's migrations Job runs it before pods roll). */
void migrateMain(SERVICE, SCHEMA, migrations);
