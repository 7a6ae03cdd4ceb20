import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

// The local stand-in for the on-call receivers (the SNS topic on EKS): Alertmanager's webhooks post
// here, one path per receiver (/oncall). Each delivery is kept in memory and, for `local:up`,
// appended to a JSON-lines file; GET /deliveries returns them all.

export interface AlertmanagerAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
}

export interface Delivery {
  readonly receiver: string;
  readonly receivedAt: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Record<string, string>;
  readonly alerts: readonly AlertmanagerAlert[];
}

export interface AlertReceiver {
  readonly url: string;
  readonly deliveries: Delivery[];
  close(): Promise<void>;
}

export function startAlertReceiver(host: string, port: number, journal?: string): Promise<AlertReceiver> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/deliveries') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deliveries));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<Delivery, 'receivedAt'>;
        const delivery: Delivery = {
          receiver: decodeURIComponent((req.url ?? '/').slice(1)),
          receivedAt: new Date().toISOString(),
          status: body.status,
          groupLabels: body.groupLabels ?? {},
          alerts: body.alerts ?? [],
        };
        deliveries.push(delivery);
        if (journal) appendFileSync(journal, `${JSON.stringify(delivery)}\n`);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end('not an Alertmanager webhook payload');
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://${host}:${bound}`,
        deliveries,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
