/**
 * Bounds on the console's open connections, counted per source (./client-source) so one client cannot starve
 * another: a source past `perAddress` has its new connection closed at once; when the console holds `total`, a
 * new connection from a source holding fewer than the busiest one closes one of the busiest's (an idle one when
 * it has any, else its oldest), and is itself closed only when its source already holds as many as anyone. Idle
 * and slow connections are closed by the server's timeouts (./server); this bounds how many can wait meanwhile.
 */
import type http from 'node:http';
import type net from 'node:net';
import { printable } from '../../../workflows/kit/safe-text';
import { sourceOf } from './client-source';

/** A source's open connections, oldest first, and whether its refusals since it last had room were logged. */
interface Source {
  sockets: Set<net.Socket>;
  refusing: boolean;
}

/** Applies the bounds to `server`'s connections (instead of `server.maxConnections`, which counts all alike). */
export function limitConnections(
  server: http.Server,
  limits: { total: number; perAddress: number },
  log: (line: string) => void,
): { open(): number } {
  const bySource = new Map<string, Source>();
  // Sockets with a request under way (event streams stay here): an idle one is given up first.
  const busy = new Set<net.Socket>();
  let open = 0;

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    busy.add(socket);
    res.on('close', () => busy.delete(socket));
  });

  let full = false;
  /** Forgets a socket (once: closing one given up calls this again). */
  const release = (name: string, source: Source, socket: net.Socket) => {
    if (!source.sockets.delete(socket)) return;
    open -= 1;
    busy.delete(socket);
    source.refusing = false;
    if (source.sockets.size === 0 && bySource.get(name) === source) bySource.delete(name);
  };

  /** Closes a connection of the source holding the most, if it holds more than `newcomer` would; false if none. */
  const giveUpOneFor = (newcomer: Source): boolean => {
    let busiest: [string, Source] | undefined;
    for (const entry of bySource) if (!busiest || entry[1].sockets.size > busiest[1].sockets.size) busiest = entry;
    if (!busiest || busiest[1].sockets.size <= newcomer.sockets.size + 1) return false;
    const [name, source] = busiest;
    const sockets = [...source.sockets];
    const victim = sockets.find((s) => !busy.has(s)) ?? sockets[0]!;
    release(name, source, victim);
    victim.destroy();
    return true;
  };

  server.on('connection', (socket: net.Socket) => {
    const name = sourceOf(socket.remoteAddress);
    const source = bySource.get(name) ?? { sockets: new Set<net.Socket>(), refusing: false };
    if (source.sockets.size >= limits.perAddress) {
      if (!source.refusing) log(`closing new connections from ${printable(name)}: it holds ${limits.perAddress}, the most one address may`);
      source.refusing = true;
      socket.destroy();
      return;
    }
    if (open >= limits.total) {
      if (!full) log(`the console holds ${limits.total} connections, its limit: the addresses holding the most give up their oldest`);
      full = true;
      if (!giveUpOneFor(source)) {
        socket.destroy();
        return;
      }
    } else full = false;
    source.sockets.add(socket);
    bySource.set(name, source);
    open += 1;
    socket.on('close', () => release(name, source, socket));
  });

  return { open: () => open };
}
