// A copilot vendor's TypeScript: only `@handoff/copilot-adapter` is installed (and `@handoff/protocol`, its
// dependency), no gateway. Compiled strict, without skipLibCheck: its declarations must not need the gateway's.
import {
  HandoffClient,
  type HandoffClientError,
  type HandoffClientErrorCode,
  openAiResponseFormat,
  parsePlanFromModelOutput,
  signPlan,
} from '@handoff/copilot-adapter';

export async function submitFromModel(
  output: string,
  key: Parameters<typeof signPlan>[1],
): Promise<string | readonly string[]> {
  const parsed = parsePlanFromModelOutput(output);
  if (!parsed.ok) return parsed.issues.map((issue) => issue.message);
  const client = new HandoffClient({ url: 'http://127.0.0.1:8787', credential: 'api-key' });
  const view = await client.submit(parsed.plan, { signature: await signPlan(parsed.plan, key) });
  const state: string = view.state;
  return state;
}

export function codeOf(error: HandoffClientError): HandoffClientErrorCode {
  return error.code;
}

export const responseFormat = openAiResponseFormat();
