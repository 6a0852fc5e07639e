import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

type Endpoint = { socketPath: string } | { host: string; port: number };

function endpoint(): Endpoint | undefined {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
    try {
      const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
      return { host: url.hostname, port: Number(url.port || 2375) };
    } catch {
      return undefined;
    }
  }
  for (const socketPath of ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')]) {
    if (existsSync(socketPath)) return { socketPath };
  }
  return undefined;
}

function ping(target: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

let reachable: Promise<boolean> | undefined;

/**
 * Whether a Docker engine answers `GET /_ping` within about a second (DOCKER_HOST, else the
 * usual socket paths). Asked once per process: a missing engine must not slow every start.
 */
export function dockerReachable(): Promise<boolean> {
  if (reachable === undefined) {
    const target = endpoint();
    reachable = target ? ping(target, 1_000) : Promise.resolve(false);
  }
  return reachable;
}
