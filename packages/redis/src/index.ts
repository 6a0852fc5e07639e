// @resilient-store/redis: Redis backend (single node, Sentinel, Cluster) for resilient-store, on ioredis.
export {};
