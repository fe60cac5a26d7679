import { GOOGLE_ADS_API_VERSION } from './google-ads-api.js';

/** One GoogleAdsError, as in a GoogleAdsFailure. */
export interface FakeGoogleError {
  errorCode: Record<string, string>;
  message: string;
  details?: Record<string, unknown>;
  location?: unknown;
}

/** `{ error: { code, message, status, details: [GoogleAdsFailure] } }`, the REST error body of the Google Ads API. */
export function googleErrorBody(
  status: number,
  grpcStatus: string,
  message: string,
  errors: FakeGoogleError[],
  requestId: string,
): unknown {
  return {
    error: {
      code: status,
      message,
      status: grpcStatus,
      details: [
        {
          '@type': `type.googleapis.com/google.ads.googleads.${GOOGLE_ADS_API_VERSION}.errors.GoogleAdsFailure`,
          errors,
          requestId,
        },
      ],
    },
  };
}

/** The GoogleAdsFailure of a `partialFailureError` (a google.rpc.Status with code 3, INVALID_ARGUMENT). */
export function partialFailure(errors: FakeGoogleError[], requestId: string): unknown {
  const body = googleErrorBody(
    400,
    'INVALID_ARGUMENT',
    'Multiple errors in details',
    errors,
    requestId,
  );
  const { error } = body as { error: { message: string; details: unknown[] } };
  return { code: 3, message: error.message, details: error.details };
}
