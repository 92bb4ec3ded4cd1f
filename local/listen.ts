import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from './ivschat/chat-state.js';

/** Starts `server` on host:port (0 = a free port) and resolves once it accepts connections. */
export function listen(
  server: Server,
  port: number,
  host: string,
  scheme: 'http' | 'ws',
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address: AddressInfo | string | null = server.address();
      const actualPort = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        url: `${scheme}://${host}:${actualPort}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // Keep-alive connections (a browser's, the SDK's) would otherwise hold close() open.
            server.closeAllConnections();
          }),
      });
    });
  });
}
