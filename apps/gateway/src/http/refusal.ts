import { HttpException, ServiceUnavailableException } from '@nestjs/common';

/** HTTP status for each refusal code approval answers with. */
const STATUS_OF: Record<string, number> = {
  not_found: 404,
  forbidden: 403,
  not_an_approver: 403,
  self_approval: 403,
  identity_not_linked: 403,
  duplicate: 409,
  already_decided: 409,
  not_pending: 409,
  wrong_status: 409,
  reason_required: 422,
  directory_unavailable: 503,
};

/** A refusal as the API answers it: the status for its code, the code, and the reason. */
export function refusal(code: string, message: string): HttpException {
  const status = STATUS_OF[code] ?? 400;
  return new HttpException({ statusCode: status, code, message }, status);
}

/** 503 in the API's shape (code `unavailable`): something Gatehouse needs cannot be reached just now. */
export function unavailable(message: string, cause: unknown): HttpException {
  return new ServiceUnavailableException({ statusCode: 503, code: 'unavailable', message }, { cause });
}
