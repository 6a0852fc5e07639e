import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ServerStartError } from './errors.js';

const run = promisify(execFile);

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * The account to run a server as. PostgreSQL refuses to run as root, so as root we switch to
 * `name` (the `postgres` user Debian packages create); otherwise we are already unprivileged
 * and run as ourselves (undefined).
 */
export async function unprivilegedUser(name: string, server: string): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch (error) {
    throw new ServerStartError(
      server,
      `refuses to run as root and there is no "${name}" OS user to run it as; create one ` +
        `(useradd --system --user-group ${name}) or run the tests as a non-root user`,
      { cause: error },
    );
  }
}
