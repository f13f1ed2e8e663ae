// The reverse proxy in front of Puma and the streaming server, as Mastodon's
// dist/nginx.conf places it, reduced to what a rehearsal needs. It is why the
// load generator can talk plain HTTP to a loopback port and still meet a
// production Mastodon's rules:
// - Host is always LOCAL_DOMAIN (Rails' host authorization refuses others);
// - X-Forwarded-Proto is https (force_ssl redirects anything else);
// - X-Forwarded-For keeps the scenario's per-newcomer address and appends the
//   peer, so behind TRUSTED_PROXY_IP each simulated client has its own throttles;
// - X-Request-Start is set (the stock config does not), so Puma's queue time
//   is measured.

export const PROXY_PORT = 80;
/** The TLS server for LOCAL_DOMAIN, there only when a fleet must reach Mastodon as a remote server would. */
export const PROXY_TLS_PORT = 443;

export function nginxConfig(o: { localDomain: string; web: string; streaming: string; tls?: { cert: string; key: string } }): string {
  const common = [
    `    proxy_set_header Host ${o.localDomain};`,
    '    proxy_set_header X-Real-IP $remote_addr;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Forwarded-Proto https;',
    '    proxy_set_header X-Request-Start "t=${msec}";',
    '    proxy_set_header Proxy "";',
    '    proxy_http_version 1.1;',
  ];
  // The same routes on both servers: the load's plain HTTP and the fleet's HTTPS.
  const server = (listen: string[]) => [
    '  server {',
    ...listen,
    `    server_name ${o.localDomain};`,
    '    location /api/v1/streaming {',
    ...common.map((l) => `  ${l}`),
    '      proxy_set_header Upgrade $http_upgrade;',
    '      proxy_set_header Connection $connection_upgrade;',
    '      proxy_buffering off;',
    '      proxy_pass http://streaming;',
    '    }',
    '    location / {',
    ...common.map((l) => `  ${l}`),
    '      proxy_set_header Connection "";',
    '      proxy_pass http://backend;',
    '    }',
    '  }',
  ];
  return [
    'worker_processes auto;',
    'events { worker_connections 8192; }',
    'http {',
    '  access_log off;',
    '  client_max_body_size 99m;',
    '  map $http_upgrade $connection_upgrade { default upgrade; \'\' close; }',
    `  upstream backend { server ${o.web}; keepalive 64; }`,
    `  upstream streaming { server ${o.streaming}; least_conn; keepalive 64; }`,
    ...server([`    listen ${PROXY_PORT};`]),
    ...(o.tls ? server([`    listen ${PROXY_TLS_PORT} ssl;`, `    ssl_certificate ${o.tls.cert};`, `    ssl_certificate_key ${o.tls.key};`, '    ssl_protocols TLSv1.2 TLSv1.3;']) : []),
    '}',
    '',
  ].join('\n');
}
