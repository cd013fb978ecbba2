/**
 * Stands between the functions' SES client and moto (AWS_ENDPOINT_URL_SESV2 points here): every
 * request goes on to moto unchanged, and each SendEmail is kept with what moto answered, so a test
 * knows exactly what was sent — recipient, configuration set, message tags (which moto ignores) and
 * the MessageId SES events name — and can play SES's part in publishing the events of that message.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedSend {
  messageId: string;
  to: string[];
  configurationSet?: string;
  tags: Record<string, string>;
  at: string;
}

export interface SesRecorder {
  url: string;
  sends: RecordedSend[];
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

interface SendEmailInput {
  Destination?: { ToAddresses?: string[] };
  ConfigurationSetName?: string;
  EmailTags?: { Name: string; Value: string }[];
}

export async function startSesRecorder(motoEndpoint: string): Promise<SesRecorder> {
  const sends: RecordedSend[] = [];
  const server: Server = createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'content-length'),
      ) as Record<string, string>;
      const answer = await fetch(`${motoEndpoint}${request.url}`, {
        method: request.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const text = await answer.text();
      if (request.method === 'POST' && request.url === '/v2/email/outbound-emails' && answer.ok) {
        const input = JSON.parse(body.toString('utf8')) as SendEmailInput;
        sends.push({
          messageId: (JSON.parse(text) as { MessageId: string }).MessageId,
          to: input.Destination?.ToAddresses ?? [],
          ...(input.ConfigurationSetName ? { configurationSet: input.ConfigurationSetName } : {}),
          tags: Object.fromEntries((input.EmailTags ?? []).map((tag) => [tag.Name, tag.Value])),
          at: new Date().toISOString(),
        });
      }
      response.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      response.end(text);
    } catch (error) {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sends,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
