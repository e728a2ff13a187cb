import { parseSyslog5424 } from '@gatehouse/testing';
import { auditedLifeOfARequest } from '../../test/audited-events';
import { buildAuditRecord, GENESIS_HASH } from '../../records/record-event/audit-record';
import { ChainEntry } from '../chain-entry';
import { outgoing } from '../record-format';
import { escapeParamValue, octetCounted, syslogMessage } from './syslog-sink';

describe('syslog messages (RFC 5424, RFC 6587 octet counting)', () => {
  const options = { facility: 10, appName: 'gatehouse', structuredDataId: 'gatehouse@32473', host: 'audit-1.example.com', procId: '4242' };

  it('escapes ", \\ and ] in structured data so the values read back exactly', () => {
    expect(escapeParamValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const record = buildAuditRecord(auditedLifeOfARequest()[0]!, GENESIS_HASH, 1n, new Date());
    const nasty = { ...record, subject: 'x"] [evil@1 a="b"]\\' };
    const parsed = parseSyslog5424(syslogMessage({ ...outgoing(ChainEntry.of(nasty), 'ocsf'), line: '{"line":"é ü"}' }, options));
    expect(parsed.structuredData).toEqual({ 'gatehouse@32473': expect.objectContaining({ subject: 'x"] [evil@1 a="b"]\\', id: record.id, sequence: '1' }) });
    expect(Object.keys(parsed.structuredData)).toEqual(['gatehouse@32473']);
    expect(parsed).toMatchObject({ facility: 10, severity: 6, version: 1, hostname: 'audit-1.example.com', appName: 'gatehouse', procId: '4242', msgId: 'access.requested', bom: true, message: '{"line":"é ü"}' });
  });

  it('is a notice when the record is a refusal or a failure', () => {
    const refused = auditedLifeOfARequest().find((e) => e.type === 'access.refused')!;
    const record = buildAuditRecord(refused, GENESIS_HASH, 2n, new Date());
    expect(parseSyslog5424(syslogMessage(outgoing(ChainEntry.of(record), 'ocsf'), options)).severity).toBe(5);
  });

  it('counts octets, not characters', () => {
    const frame = octetCounted('<86>1 é'); // 7 characters, 8 bytes
    expect(frame.toString('utf8')).toBe('8 <86>1 é');
  });
});
