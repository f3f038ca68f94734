import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A local HTTP server standing in for the outside world, counting what reached it. */
export interface LocalWeb {
  readonly port: number;
  readonly origin: string;
  /** Paths requested, in order. */
  readonly hits: string[];
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><title>Test &amp; Page</title><style>.x{color:red}</style>
<script>document.write('SCRIPT-TEXT')</script></head><body><h1>Welcome</h1>
<p>Read the <a href="/docs/guide.html">guide</a> or <a href="https://example.org/">https://example.org/</a>.</p>
<ul><li>first</li><li>second</li></ul><img src="/logo.png" alt="LOGO"><noscript>NOSCRIPT-TEXT</noscript></body></html>`;

let bomb: Buffer | undefined;

function route(req: IncomingMessage, res: ServerResponse, origin: string): void {
  const url = new URL(req.url ?? '/', origin);
  const send = (status: number, type: string | undefined, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...headers });
    res.end(body);
  };
  const r = /^\/r\/(\d+)$/.exec(url.pathname);
  if (r) {
    const n = Number(r[1]);
    if (n === 0) return send(200, 'text/plain', 'arrived');
    return send(n % 2 ? 302 : 301, 'text/plain', 'moved', { location: `/r/${n - 1}` });
  }
  switch (url.pathname) {
    case '/page.html':
      return send(200, 'text/html; charset=utf-8', PAGE);
    case '/data.json':
      return send(200, 'application/json', '{"answer":42,"list":[1,2]}');
    case '/latin1.txt':
      return send(200, 'text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    case '/image.png':
      return send(200, 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    case '/untyped-binary':
      return send(200, undefined, Buffer.from([1, 2, 0, 0, 3]));
    case '/untyped-text':
      return send(200, undefined, 'plain words');
    case '/missing':
      return send(404, 'text/plain', 'no such page');
    case '/redirect':
      return send(Number(url.searchParams.get('status') ?? 302), 'text/plain', '', { location: url.searchParams.get('to') ?? '/' });
    case '/big': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 5 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      return pump();
    }
    case '/exact':
      return send(200, 'text/plain', 'e'.repeat(Number(url.searchParams.get('n'))));
    case '/bomb':
      bomb ??= gzipSync(Buffer.alloc(32 * 1024 * 1024, 'a'));
      return send(200, 'text/plain', bomb, { 'content-encoding': 'gzip' });
    case '/gzip':
      return send(200, 'text/plain', gzipSync('compressed words'), { 'content-encoding': 'gzip' });
    case '/compress':
      return send(200, 'text/plain', 'whatever', { 'content-encoding': 'compress' });
    case '/long.html':
      return send(200, 'text/html', `<p>${'word '.repeat(50_000)}</p>`);
    case '/dropped': {
      // Half a body, then the connection drops (compressed or not).
      const gzip = url.searchParams.get('encoding') === 'gzip';
      const plain = Buffer.from('dropped '.repeat(20_000));
      const body = gzip ? gzipSync(plain) : plain;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length), ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => req.socket.destroy(), 30);
      return;
    }
    case '/emoji.txt':
      return send(200, 'text/plain; charset=utf-8', `a${'😀'.repeat(600)}`);
    case '/hang':
      return; // never answers
    case '/slow-body': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    default:
      return send(200, 'text/plain', `you asked for ${url.pathname}`);
  }
}

export async function startLocalWeb(): Promise<LocalWeb> {
  const hits: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    route(req, res, origin);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
