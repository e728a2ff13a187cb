import { parseFlows, type Flow } from '@gatehouse/config';

/** A flow built from YAML, as an admin would write it, with overrides for one test case. */
export function flowFrom(approval: string, extra = ''): Flow {
  const [flow] = parseFlows(`flows:
  - name: prod-db
    targets:
      - id: read-only
        label: Read-only
        oktaGroupId: 00gprdbreadonly00001
      - id: read-write
        label: Read-write
        oktaGroupId: 00gprdbreadwrite0001
        maxDuration: 2h
    durations: [30m, 1h, 2h, 8h]
${extra}    approval:
${approval}
`).flows;
  return flow;
}

export const APPROVER_GROUP = '00gdbaapprovers00001';
export const ONCALL_GROUP = '00goncallsre00000001';
