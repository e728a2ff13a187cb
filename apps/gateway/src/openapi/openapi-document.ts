import { accessReviewResultSchema, auditQueryResultSchema, listFlowsReplySchema, problemSchema, requestViewSchema } from '@gatehouse/contracts';
import { z } from 'zod';
import { auditQueryParams } from '../audit/audit-query-params';
import { accessReviewParams } from '../audit/access-review/access-review.controller';
import { auditExportParams } from '../audit/export-audit/export-audit.controller';
import { UNGATED_API_ROUTES } from '../http/admission/admission-gate';
import type { Scope } from '@gatehouse/contracts';
import { ON_BEHALF_OF_HEADER } from '../auth/acting-principal';
import { approveBody, denyBody } from '../decisions/submit-decision/submit-decision.controller';
import { actorBody } from '../requests/change-request/change-request.controller';
import { createRequestBodySchema } from '../requests/create-request/create-request.body';
import { againBody, extendBody } from '../requests/follow-up-request/follow-up-request.controller';
import { listParams } from '../requests/list-requests/list-requests.controller';

/**
 * The OpenAPI 3.1 document of /api/v1, built from the same zod schemas the controllers
 * validate with, so the two cannot drift. Served at /api/docs; checked in as
 * docs/openapi.json (a test keeps it current, another compares it with the running API).
 */
const errorSchema = z.object({
  statusCode: z.number().int(),
  message: z.string(),
  error: z.string().optional(),
  code: z.string().optional(),
  problems: z.array(problemSchema).optional(),
});
const requestEnvelope = z.object({ request: requestViewSchema });
const decisionResult = z.object({ result: z.enum(['approved', 'denied', 'recorded']), request: requestViewSchema });
const submitted = z.object({ id: z.uuid(), status: z.literal('submitted'), message: z.string(), links: z.object({ self: z.string() }) });

interface Route {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  summary: string;
  scope: Scope;
  body?: z.ZodType;
  query?: z.ZodObject;
  pathId?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const refused = (description: string) => ({ description, schema: errorSchema });

export const ROUTES: Route[] = [
  {
    method: 'post', path: '/api/v1/requests', operationId: 'createRequest', summary: 'Ask for temporary access', scope: 'requests:write', body: createRequestBodySchema,
    responses: {
      201: { description: 'Stored; PENDING, or approved by a rule', schema: requestEnvelope },
      202: { description: 'Queued; approval has not answered yet: fetch it by id shortly', schema: submitted },
      422: refused('The flow does not allow it; `problems` names each field'),
      503: refused('The broker did not take it; nothing was written'),
    },
  },
  {
    method: 'get', path: '/api/v1/requests', operationId: 'listRequests', summary: "List requests, newest first: one's own and those one may approve, or all with requests:read-all", scope: 'requests:read', query: listParams,
    responses: { 200: { description: 'Requests, and what the token may see', schema: z.object({ requests: z.array(requestViewSchema), visibility: z.enum(['all', 'own-and-approvable']), partial: z.string().optional().describe('set while Okta is unreachable: which requests are left out, and why') }) } },
  },
  {
    method: 'get', path: '/api/v1/requests/{id}', operationId: 'getRequest', summary: 'One request, with its decisions and access', scope: 'requests:read', pathId: true,
    responses: { 200: { description: 'The request', schema: requestEnvelope }, 403: refused('Not yours, not one you may approve, and no requests:read-all'), 404: refused('No such request') },
  },
  {
    method: 'post', path: '/api/v1/requests/{id}/approve', operationId: 'approveRequest', summary: "Approve, as the token's owner (or, with act-as, the approver named)", scope: 'decisions:write', pathId: true, body: approveBody,
    responses: {
      200: { description: 'Approved, or recorded towards a multi-party threshold', schema: decisionResult },
      403: refused('Not an approver of the flow, the requester approving their own request, or a token acting for someone it may not'),
      404: refused('No such request'),
      409: refused('Already decided (the message names who and when), no longer pending, or already approved by you'),
      503: refused('Group membership could not be checked'),
    },
  },
  {
    method: 'post', path: '/api/v1/requests/{id}/deny', operationId: 'denyRequest', summary: 'Deny, with a reason for the requester', scope: 'decisions:write', pathId: true, body: denyBody,
    responses: {
      200: { description: 'Denied', schema: decisionResult },
      403: refused('Not an approver of the flow'),
      404: refused('No such request'),
      409: refused('Already decided, or no longer pending'),
    },
  },
  {
    method: 'post', path: '/api/v1/requests/{id}/cancel', operationId: 'cancelRequest', summary: 'Withdraw a pending request (requester only)', scope: 'requests:write', pathId: true, body: actorBody,
    responses: { 200: { description: 'Cancelled', schema: requestEnvelope }, 403: refused('Not the requester'), 404: refused('No such request'), 409: refused('Not pending') },
  },
  {
    method: 'post', path: '/api/v1/requests/{id}/revoke', operationId: 'revokeRequest', summary: 'Take active access away now (requester, approver, or admin token)', scope: 'requests:write', pathId: true, body: actorBody,
    responses: { 200: { description: 'Revocation under way', schema: requestEnvelope }, 403: refused('May not revoke'), 404: refused('No such request'), 409: refused('Not active, or already ending') },
  },
  {
    method: 'post', path: '/api/v1/requests/{id}/extend', operationId: 'extendRequest', summary: 'Ask for more time on active access (a new request, same policy)', scope: 'requests:write', pathId: true, body: extendBody,
    responses: { 201: { description: 'The extension request', schema: requestEnvelope }, 422: refused('Not active, not yours, or not allowed by the flow') },
  },
  {
    method: 'post', path: '/api/v1/requests/{id}/again', operationId: 'requestAgain', summary: 'Ask again for a finished request', scope: 'requests:write', pathId: true, body: againBody,
    responses: { 201: { description: 'The new request', schema: requestEnvelope }, 422: refused('Not finished, not yours, or not allowed by the flow') },
  },
  {
    method: 'get', path: '/api/v1/flows', operationId: 'listFlows', summary: 'What may be requested', scope: 'requests:read',
    responses: { 200: { description: 'Flows', schema: listFlowsReplySchema } },
  },
  {
    method: 'get', path: '/api/v1/audit', operationId: 'getAuditTrail', summary: 'Audit records in chain order: one request’s, or filtered; a page at a time', scope: 'audit:read', query: auditQueryParams,
    responses: { 200: { description: 'CloudEvents records around OCSF events, hash-chained; nextCursor while there may be more', schema: auditQueryResultSchema } },
  },
  {
    method: 'get', path: '/api/v1/audit/export', operationId: 'exportAuditTrail', summary: 'Every matching audit record, streamed as JSON lines or CSV', scope: 'audit:read', query: auditExportParams,
    responses: { 200: { description: 'application/x-ndjson (one CloudEvent record a line) or text/csv (one row a record, RFC 4180), streamed as a download' } },
  },
  {
    method: 'get', path: '/api/v1/audit/access-review', operationId: 'accessReview', summary: 'Who held which access in a time range: when, approved by whom, for how long', scope: 'audit:read', query: accessReviewParams,
    responses: { 200: { description: 'JSON {from, to, rows} or CSV (one row a grant), streamed', schema: accessReviewResultSchema.pick({ rows: true }) } },
  },
];

const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const parameters: unknown[] = [
      {
        name: ON_BEHALF_OF_HEADER,
        in: 'header',
        required: false,
        description: 'The person a service token holding `act-as` acts for (recorded as "service X on behalf of Y"). Any other token naming someone else is refused with 403.',
        schema: { type: 'string', format: 'email' },
      },
    ];
    if (route.pathId) parameters.push({ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
    if (route.query) {
      const shape = json(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(shape.properties ?? {})) {
        parameters.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, unknown> = {
      400: { description: 'Malformed input; the message names each field', content: { 'application/json': { schema: json(errorSchema, 'output') } } },
      401: { description: 'Missing or invalid API token', content: { 'application/json': { schema: json(errorSchema, 'output') } } },
      403: { description: 'The policy refuses this principal: the message says why (scope, identity, role)', content: { 'application/json': { schema: json(errorSchema, 'output') } } },
    };
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { 'application/json': { schema: json(response.schema, 'output') } } } : {}),
      };
    }
    if (!(UNGATED_API_ROUTES as readonly string[]).includes(route.path)) {
      const own = responses[503] as { description: string } | undefined;
      responses[503] = {
        description: `${own ? `${own.description}; or the` : 'The'} gateway is at its limit (code \`overloaded\`): retry after the seconds in Retry-After`,
        headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
        content: { 'application/json': { schema: json(errorSchema, 'output') } },
      };
    }
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId: route.operationId,
        summary: route.summary,
        description: `Needs a token with the \`${route.scope}\` scope (or \`admin\`). A personal token acts as its owner; a service token as itself, or with \`act-as\` for the person it names. Who may do what: docs/authorization.md.`,
        security: [{ apiToken: [] }],
        ...(parameters.length ? { parameters } : {}),
        ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(route.body, 'input') } } } } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version: '1.0.0', description: 'Just-in-time access: request, decide, audit.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'An API token: `npm run gatehouse -- tokens create --name <name> --scopes <scopes>`' },
      },
    },
    paths,
  };
}
