/**
 * Reads the examples of HTTP.md: each is a fenced ```` ```http example ```` block (a raw HTTP request: request
 * line, headers, a blank line and a JSON body for POST) followed by a ```` ```json status=NNN ```` block (the
 * answer's body and HTTP status). Placeholders in angle brackets (`<copilot API key>`, `"<the plan above>"`,
 * `"<approval token>"`) stand for what a reader supplies; the test fills them in.
 */

/** One documented request and the answer shown for it. */
export interface HttpDocExample {
  /** The procedure path, e.g. `plans.get`, from the request line. */
  procedure: string;
  method: 'GET' | 'POST';
  /** The request target as written (path and URL-encoded query). */
  target: string;
  headers: Record<string, string>;
  /** The body text as written (POST only), placeholders included. */
  body: string | undefined;
  status: number;
  /** The documented answer. */
  response: unknown;
  /** 1-based line of the request block in HTTP.md, for messages. */
  line: number;
}

const FENCE = /^```([^\n]*)\n([\s\S]*?)^```$/gm;

interface Block {
  info: string;
  text: string;
  line: number;
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(FENCE)].map((m) => ({
    info: (m[1] ?? '').trim(),
    text: m[2] ?? '',
    line: markdown.slice(0, m.index).split('\n').length,
  }));
}

function parseRequest(block: Block): Omit<HttpDocExample, 'status' | 'response'> {
  const [head = '', ...rest] = block.text.split('\n');
  const request = /^(GET|POST) (\/([\w.]+)\S*) HTTP\/1\.1$/.exec(head);
  if (!request) throw new Error(`HTTP.md:${block.line}: bad request line ${JSON.stringify(head)}`);
  const blank = rest.indexOf('');
  const headerLines = blank === -1 ? rest : rest.slice(0, blank);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const header = /^([\w-]+): (.+)$/.exec(line);
    if (!header) throw new Error(`HTTP.md:${block.line}: bad header ${JSON.stringify(line)}`);
    headers[(header[1] as string).toLowerCase()] = header[2] as string;
  }
  const body =
    blank === -1
      ? ''
      : rest
          .slice(blank + 1)
          .join('\n')
          .trim();
  return {
    procedure: request[3] as string,
    method: request[1] as 'GET' | 'POST',
    target: request[2] as string,
    headers,
    body: body === '' ? undefined : body,
    line: block.line,
  };
}

/** Every example of `markdown`, in order; throws on a request block without its answer block. */
export function httpDocExamples(markdown: string): HttpDocExample[] {
  const all = blocks(markdown);
  const examples: HttpDocExample[] = [];
  all.forEach((block, index) => {
    if (block.info !== 'http example') return;
    const answer = all[index + 1];
    const status = /^json status=(\d{3})$/.exec(answer?.info ?? '');
    if (!answer || !status) {
      throw new Error(
        `HTTP.md:${block.line}: an example request must be followed by a json status=NNN block`,
      );
    }
    examples.push({
      ...parseRequest(block),
      status: Number(status[1]),
      response: JSON.parse(answer.text),
    });
  });
  return examples;
}
