import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditDestinationsJsonSchema, loadAuditDestinations, parseAuditDestinations } from './audit-destinations.schema';

const ROOT = path.resolve(__dirname, '../../../../..');

describe('audit destinations (GATEHOUSE_AUDIT_DESTINATIONS)', () => {
  it('reads destinations with their defaults', () => {
    const file = parseAuditDestinations(`destinations:
  - name: siem-file
    type: file
    path: /var/log/gatehouse/audit.jsonl
    filter:
      types: [access.approved, access.denied]
  - name: console
    type: stdout
    format: json
`);
    expect(file.destinations).toEqual([
      { name: 'siem-file', type: 'file', format: 'cloudevents', path: '/var/log/gatehouse/audit.jsonl', filter: { types: ['access.approved', 'access.denied'] }, rotate: { maxBytes: 104857600, maxAgeSeconds: 86400 } },
      { name: 'console', type: 'stdout', format: 'json' },
    ]);
  });

  it('names file, line and field of every problem', () => {
    expect(() =>
      parseAuditDestinations(
        `destinations:
  - name: a
    type: file
  - name: a
    type: carrier-pigeon
`,
        'dest.yaml',
      ),
    ).toThrow(/dest\.yaml:2:5 destinations\[0\]\.path: is required[\s\S]*dest\.yaml:5:11 destinations\[1\]\.type: /);
    expect(() => loadAuditDestinations('/nonexistent/dest.yaml')).toThrow(/dest.yaml:1:1 cannot read the file \(ENOENT\)/);
  });

  it('keeps the checked-in JSON Schema in step with the validator (npm run flows:schema regenerates it)', () => {
    const checkedIn = JSON.parse(readFileSync(path.join(ROOT, 'docs/audit-destinations.schema.json'), 'utf8'));
    expect(checkedIn).toEqual(auditDestinationsJsonSchema());
  });
});
