/**
 * Which Redis error replies are about one key's entry, and which say the server
 * itself cannot serve us. Only the second kind counts against the backend's breaker
 * (see `KeyDataError` in `@resilient-store/core/backend`): one bad key must not take
 * the whole backend out of service.
 *
 * An error reply starts with its code (the first word). Errors that are not replies
 * at all — a lost connection, a timeout — are always the backend's.
 */

/** `key`: this key's entry (or this request's keys); `backend`: the server's state. */
type Verdict = 'key' | 'backend';

const REPLY_ERRORS: Readonly<Record<string, Verdict>> = {
  // The key holds another type than a string: another client stored a list, a hash…
  // under the store's key name. GET fails on it; SET replaces it, MGET reads it as nil.
  WRONGTYPE: 'key',
  // RESTORE/COPY target already exists: about one key (the backend sends neither).
  BUSYKEY: 'key',
  // Keys of one request map to different slots: about those keys, never the server's
  // health (the backend groups keys by slot, so this would be a bug of that grouping).
  CROSSSLOT: 'key',
  // maxmemory reached under a noeviction policy: no write can land anywhere.
  OOM: 'backend',
  // The server lost its script cache (restart, SCRIPT FLUSH); conditional writes
  // retry with EVAL, so one that gets here lost it again: the server's state.
  NOSCRIPT: 'backend',
  // A replica answers writes: a failover demoted the node we are connected to.
  READONLY: 'backend',
  // The server is loading its dataset after a restart.
  LOADING: 'backend',
  // A script or module command is holding the server.
  BUSY: 'backend',
  // Replication state refuses the command (replica-serve-stale-data no, min-replicas).
  MASTERDOWN: 'backend',
  NOREPLICAS: 'backend',
  // Cannot persist to disk (stop-writes-on-bgsave-error): refuses every write.
  MISCONF: 'backend',
  // Authentication or ACL: the server will not serve this client at all.
  NOAUTH: 'backend',
  WRONGPASS: 'backend',
  NOPERM: 'backend',
  // Cluster topology: ioredis follows MOVED/ASK itself (up to maxRedirections); one
  // that reaches the backend means the cluster is moving or down.
  MOVED: 'backend',
  ASK: 'backend',
  TRYAGAIN: 'backend',
  CLUSTERDOWN: 'backend',
  // A transaction aborted by an earlier error: the server's answer to the batch.
  EXECABORT: 'backend',
};

/** Generic `ERR …` replies that are nevertheless about this request's data. */
const KEY_DATA_ERR = [
  // A value over the server's proto-max-bulk-len: this value, not the server.
  /^ERR string exceeds maximum allowed size/,
  // A key-type error raised inside a script (Redis < 7 wraps it in ERR).
  /\bWRONGTYPE\b/,
];

/** True for an error reply about one key's entry (see the table above). */
export function isKeyDataReply(error: Error): boolean {
  if (error.name !== 'ReplyError') return false;
  const message = error.message;
  const space = message.indexOf(' ');
  const code = space === -1 ? message : message.slice(0, space);
  const verdict = REPLY_ERRORS[code];
  if (verdict !== undefined) return verdict === 'key';
  // `ERR …` and codes a module or a newer server may add: the server's, unless the
  // words say it is about the data (unknown errors must protect the caller).
  return KEY_DATA_ERR.some((pattern) => pattern.test(message));
}
