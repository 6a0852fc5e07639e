// @resilient-store/memcached: Memcached backend for resilient-store, on memjs.
export {};
