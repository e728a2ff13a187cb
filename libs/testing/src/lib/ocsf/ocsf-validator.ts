import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OCSF_CLASSES, OCSF_VERSION, type AuditRecord, type OcsfClassUid } from '@gatehouse/contracts';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

const SCHEMA_DIR = path.resolve(__dirname, '../../../../../docs/ocsf', OCSF_VERSION);
const FILES: Record<OcsfClassUid, string> = {
  3004: 'ocsf-3004-entity-management.schema.json',
  3005: 'ocsf-3005-user-access-management.schema.json',
  3006: 'ocsf-3006-group-management.schema.json',
};

let validators: Map<number, ValidateFunction> | undefined;

function validatorFor(classUid: number): ValidateFunction | undefined {
  if (!validators) {
    // strictRequired off: the OCSF schemas name required members inside anyOf branches.
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    validators = new Map((Object.keys(FILES) as unknown as OcsfClassUid[]).map((uid) => [Number(uid), ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, FILES[uid]), 'utf8')) as object)]));
  }
  return validators.get(classUid);
}

/**
 * What is wrong with an audit record's OCSF payload against the class it claims (its
 * `class_uid`, which `dataschema` must name too): [] when it is a valid OCSF event.
 */
export function ocsfProblems(record: AuditRecord): string[] {
  const data = record.data as { class_uid?: unknown };
  const validate = validatorFor(Number(data.class_uid));
  if (!validate) return [`record ${record.sequence} (${record.type}): class_uid ${String(data.class_uid)} is not one of ${Object.keys(FILES).join(', ')}`];
  const problems: string[] = [];
  const schema = OCSF_CLASSES[Number(data.class_uid) as OcsfClassUid].schema;
  if (!record.dataschema?.endsWith(`/${OCSF_VERSION}/classes/${schema}`)) problems.push(`record ${record.sequence} (${record.type}): dataschema ${String(record.dataschema)} does not name ${schema} ${OCSF_VERSION}`);
  if (!validate(record.data)) for (const e of validate.errors ?? []) problems.push(`record ${record.sequence} (${record.type}): ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  return problems;
}

/** Throws, naming every problem, unless every record is a valid OCSF event of the class it claims. */
export function expectValidOcsf(records: readonly AuditRecord[]): void {
  const problems = records.flatMap(ocsfProblems);
  if (problems.length > 0) throw new Error(`audit records that are not valid OCSF ${OCSF_VERSION}:\n${problems.slice(0, 20).join('\n')}`);
}
