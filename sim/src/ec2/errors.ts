/**
 * HTTP statuses EC2 sends with its error codes. Client errors are 400 unless listed;
 * InsufficientInstanceCapacity is a server error (500) on AWS — the SDKs retry it, so
 * callers see it after their retry budget, exactly as against AWS.
 */
const STATUS: Readonly<Record<string, number>> = {
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  DryRunOperation: 412,
  InsufficientInstanceCapacity: 500,
  InternalError: 500,
  Unavailable: 503,
  RequestLimitExceeded: 503,
  ServiceUnavailable: 503,
};

export class Ec2Error extends Error {
  readonly status: number;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Ec2Error';
    this.status = STATUS[code] ?? 400;
  }
}

export const errors = {
  authFailure: () => new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials'),
  unauthorized: (action: string) => new Ec2Error('UnauthorizedOperation', `You are not authorized to perform this operation (${action}).`),
  dryRun: () => new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'),
  invalidAction: (action: string) => new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`),
  missing: (name: string) => new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`),
  invalidValue: (message: string) => new Ec2Error('InvalidParameterValue', message),
  combination: (message: string) => new Ec2Error('InvalidParameterCombination', message),
  unsupported: (message: string) => new Ec2Error('Unsupported', message),
  invalidFilter: (name: string) => new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`),
  invalidToken: () => new Ec2Error('InvalidPaginationToken', 'The pagination token is invalid or expired.'),
  notFound: (code: string, what: string, id: string) => new Ec2Error(code, `The ${what} '${id}' does not exist`),
  /** An injected fault (Ec2State.injectFault); throttling is worded as EC2 words it. */
  fault: (code: string) => new Ec2Error(code, code === 'RequestLimitExceeded' ? 'Request limit exceeded.' : `${code} (injected fault).`),
  malformed: (code: string, what: string, id: string) => new Ec2Error(code, `Invalid id: "${id}" (expecting "${what}")`),
};
