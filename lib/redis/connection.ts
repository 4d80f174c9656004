/** How a client reaches Redis: what a Redis tier (or a managed one) hands Nuxeo in its endpoint. */
export type RedisConnection =
  /** ssl: TLS to a managed Redis (nuxeo.redis.ssl, redis template's nuxeo.defaults). */
  | { readonly kind: 'single'; readonly host: string; readonly port: number; readonly ssl?: boolean }
  | { readonly kind: 'sentinel'; readonly hosts: string[]; readonly port: number; readonly masterName: string };
