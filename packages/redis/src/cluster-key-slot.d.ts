// cluster-key-slot ships no types. It is the CRC16 hash-slot function ioredis itself uses.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0..16383) of a key, honouring `{hash tags}`. */
  function calculateSlot(key: string | Uint8Array): number;
  export default calculateSlot;
}
