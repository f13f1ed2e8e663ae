import type { Redis } from 'ioredis';
import type pg from 'pg';
import client from 'prom-client';
import { importPrivateKeyPem, importPublicKeyPem, type RsaKey } from '../../../../scenarios/lib/http-signatures.js';
import type { StandinConfig } from '../config.js';
import { LATENCY_BUCKETS } from '../metrics.js';
import { MASTODON_VERSION } from '../web/routes/instance.js';
import { localUris } from './activitypub.js';
import { FederationHttp } from './client.js';

// One per process (web or worker): the outgoing HTTP client, the imported-key
// caches and, in the worker, the delivery metrics.

export interface FederationMetrics {
  deliveries: client.Counter<'domain' | 'result'>;
  deliveryDuration: client.Histogram<'domain'>;
  processed: client.Counter<'type' | 'result'>;
  distributed: client.Counter;
  enqueued: client.Counter;
}

/**
 * Stand-in metrics (no Mastodon exporter has them; Mastodon shows deliveries
 * only as sidekiq_jobs_total{job_name="ActivityPub::DeliveryWorker"}).
 */
export function federationMetrics(registry: client.Registry): FederationMetrics {
  return {
    deliveries: new client.Counter({
      name: 'standin_federation_deliveries_total',
      help: 'Delivery attempts by target domain and result (delivered, unsalvageable, failed, circuit_open, skipped_unavailable)',
      labelNames: ['domain', 'result'],
      registers: [registry],
    }),
    deliveryDuration: new client.Histogram({
      name: 'standin_federation_delivery_duration_seconds',
      help: 'Time from sending a signed delivery to its answer, by target domain',
      labelNames: ['domain'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    processed: new client.Counter({
      name: 'standin_federation_activities_processed_total',
      help: 'Incoming activities processed on ingress, by type and result (applied, ignored, rejected)',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
    distributed: new client.Counter({
      name: 'standin_federation_statuses_distributed_total',
      help: 'Local posts handed to ActivityPub::DistributionWorker (deliveries per post = enqueued / distributed)',
      registers: [registry],
    }),
    enqueued: new client.Counter({
      name: 'standin_federation_deliveries_enqueued_total',
      help: 'ActivityPub::DeliveryWorker jobs enqueued for posts, one per distinct follower inbox',
      registers: [registry],
    }),
  };
}

const KEY_CACHE_MAX = 10_000;

/** A Map that forgets its oldest entry past a size, enough for key caches. */
class BoundedCache<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= KEY_CACHE_MAX) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

export interface SigningKey {
  keyId: string;
  key: RsaKey;
}

export class Federation {
  readonly http: FederationHttp;
  private readonly signingKeys = new BoundedCache<Promise<SigningKey>>();
  private readonly publicKeys = new BoundedCache<Promise<RsaKey>>();

  constructor(
    readonly config: StandinConfig,
    readonly db: pg.Pool,
    readonly redis: Redis,
    readonly metrics?: FederationMetrics,
  ) {
    const loopback = /^127\./.test(config.bind) || config.bind === '::1';
    this.http = new FederationHttp(config.federationHosts, MASTODON_VERSION, config.baseUrl, loopback ? config.bind : undefined);
  }

  uris(username: string) {
    return localUris(this.config.baseUrl, username);
  }

  /** A local account's key id and imported private key (PKCS#1 as signup stores it). */
  signingKey(accountId: string): Promise<SigningKey> {
    let p = this.signingKeys.get(accountId);
    if (!p) {
      p = (async () => {
        const { rows } = await this.db.query('SELECT username, private_key FROM accounts WHERE id = $1 AND domain IS NULL', [accountId]);
        const row = rows[0] as { username: string; private_key: string | null } | undefined;
        if (!row?.private_key) throw new Error(`account ${accountId} has no private key to sign with`);
        return { keyId: this.uris(row.username).keyId, key: await importPrivateKeyPem(row.private_key) };
      })();
      p.catch(() => this.signingKeys.delete(accountId));
      this.signingKeys.set(accountId, p);
    }
    return p;
  }

  /** An imported public key, cached by its PEM text so a rotated key is imported afresh. */
  publicKey(pem: string): Promise<RsaKey> {
    let p = this.publicKeys.get(pem);
    if (!p) {
      p = importPublicKeyPem(pem);
      p.catch(() => this.publicKeys.delete(pem));
      this.publicKeys.set(pem, p);
    }
    return p;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
