import { type ErrorEnvelope, ErrorEnvelopeSchema } from '@handoff/protocol';
import { CSRF_HEADER } from '../../src/auth/sessions.js';

/** An answer of a console call: status, `result.data` or the refusal's envelope, and any `Set-Cookie`. */
export interface ConsoleAnswer {
  status: number;
  data: unknown;
  envelope: ErrorEnvelope | undefined;
  setCookie: string[];
}

/**
 * What a browser does for the console, with `fetch`: keeps the `handoff_session` cookie it is given, and sends the
 * session's CSRF token in `x-handoff-csrf` on mutations (unless told not to, to test the refusal).
 */
export class ConsoleBrowser {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly url: string) {}

  async call(
    path: string,
    type: 'query' | 'mutation',
    input?: unknown,
    options: { csrf?: boolean } = {},
  ): Promise<ConsoleAnswer> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (type === 'mutation' && this.csrf && options.csrf !== false)
      headers[CSRF_HEADER] = this.csrf;
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const response =
      type === 'query'
        ? await fetch(`${this.url}/${path}${query}`, { headers })
        : await fetch(`${this.url}/${path}`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(input ?? {}),
          });
    const body = (await response.json()) as {
      result?: { data?: unknown };
      error?: { data?: { handoff?: unknown } };
    };
    const setCookie = response.headers.getSetCookie();
    for (const line of setCookie) {
      const pair = line.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const handoff = body.error?.data?.handoff;
    return {
      status: response.status,
      data: body.result?.data,
      envelope: handoff === undefined ? undefined : ErrorEnvelopeSchema.parse(handoff),
      setCookie,
    };
  }

  /** Calls and expects success: the answer's data. */
  async ok<T = Record<string, unknown>>(
    path: string,
    type: 'query' | 'mutation',
    input?: unknown,
  ): Promise<T> {
    const answer = await this.call(path, type, input);
    if (answer.envelope) {
      throw new Error(`${path} refused: ${answer.envelope.code} ${answer.envelope.message}`);
    }
    return answer.data as T;
  }
}
