// @resilient-store/postgres: PostgreSQL table-backed cache backend for resilient-store, on pg.
export {};
