import type { FlowSummary } from '@gatehouse/contracts';
import { findOptions } from './find-access';

const flow = (name: string, description: string, targets: [string, string][]): FlowSummary => ({
  name,
  description,
  targets: targets.map(([id, label]) => ({ id, label })),
  durationsSeconds: [3600],
  reason: { required: true },
  approvalsRequired: 1,
  selfApproval: false,
});

const flows = [
  flow('production-database', 'Temporary access to the production PostgreSQL cluster.', [
    ['read-only', 'Read-only (replica)'],
    ['read-write', 'Read-write (primary)'],
  ]),
  flow('aws-admin', 'Administrator role in the production AWS account.', [['admin', 'AdministratorAccess']]),
];

const values = (typed: string) => findOptions(flows, typed).map((o) => o.value);

describe('Find access', () => {
  it('matches target names and ids, and every target of a flow whose name or description matches', () => {
    expect(values('replica')).toEqual(['production-database/read-only']);
    expect(values('postgresql')).toEqual(['production-database/read-only', 'production-database/read-write']);
    expect(values('AWS')).toEqual(['aws-admin/admin']);
  });

  it('needs every word, and puts targets matched by their own name first', () => {
    expect(values('production write')).toEqual(['production-database/read-write']);
    expect(values('production')).toEqual(['production-database/read-only', 'production-database/read-write', 'aws-admin/admin']);
    expect(values('admin')).toEqual(['aws-admin/admin']);
    expect(values('nothing like it')).toEqual([]);
  });

  it('says which flow each comes from', () => {
    expect(findOptions(flows, 'replica')[0]?.description?.text).toBe('production-database: Temporary access to the production PostgreSQL cluster.');
  });
});
