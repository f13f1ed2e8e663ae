// federation-inbound: remote servers pushing into a target's inbox. Signed
// activities (Create(Note), Like, Announce, Follow) from the remote fleet's
// accounts arrive at a constant rate at the target's shared inbox, each signed
// with its sender's key as Mastodon signs (rsa-sha256 over (request-target)
// host date digest). A Mastodon inbox answers 202 and queues the work on
// `ingress`, so this load is what fills that queue. See scenarios/README.md.
//
// The fleet hands its accounts and keys over in a file (FLEET_KEYS, written
// by infra/fleet with mode 0600); the target's accounts to follow and posts to
// like or boost come as URI lists (FOLLOW_TARGETS, OBJECTS).
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { announce, createNote, follow, LD_JSON, like, type Activity, type ActorRef } from '../infra/fleet/activities.js';
import { EnvReader } from './lib/env.js';
import { importPrivateKeyPem, signRequest, type RsaKey } from './lib/http-signatures.js';
import { SUMMARY_TREND_STATS } from './lib/slo.js';
import { postText, rngFor } from './lib/users.js';
import { formatK6Duration } from './waves/duration.js';
import { suggestVUs, wholeRate } from './waves/stages.js';

const SCENARIO = 'inbound';
const TYPES = ['create', 'like', 'announce', 'follow'] as const;
type Kind = (typeof TYPES)[number];

interface FleetActorKey {
  domain: string;
  actor: string;
  keyId: string;
  privateKeyPem: string;
}

function readConfig(env: Record<string, string | undefined>) {
  const r = new EnvReader(env);
  const baseUrl = r.url('BASE_URL', "the target instance, e.g. the stand-in's baseUrl") ?? '';
  const inbox = r.url('INBOX_URL', false) ?? `${baseUrl}/inbox`;
  const keysFile = r.raw('FLEET_KEYS');
  if (!keysFile) r.problem('FLEET_KEYS is required (the key file the remote fleet wrote, e.g. runs/<run>/fleet-keys.json)');
  const mix = parseMix(r, r.string('MIX', 'create=6,like=2,announce=1,follow=1'));
  const uris = (name: string) => (r.raw(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const followTargets = uris('FOLLOW_TARGETS');
  const objects = uris('OBJECTS');
  if (mix.follow > 0 && followTargets.length === 0) r.problem('FOLLOW_TARGETS is required when MIX has follow > 0 (actor URIs of the target\'s accounts, comma-separated)');
  if ((mix.like > 0 || mix.announce > 0) && objects.length === 0) r.problem('OBJECTS is required when MIX has like or announce > 0 (status URIs on the target, comma-separated)');
  const cfg = {
    inbox,
    keysFile: keysFile ?? '',
    mix,
    followTargets,
    objects,
    seed: r.number('SEED', 1, { min: 0, max: 0xffffffff, integer: true, what: 'a whole number from 0 to 4294967295' }),
    rate: r.number('RATE', 5, { above: 0, max: 10_000, what: 'activities per second above 0' }),
    durationS: r.seconds('DURATION', 60),
  };
  r.finish('federation-inbound');
  return cfg;
}

function parseMix(r: EnvReader, text: string): Record<Kind, number> {
  const mix: Record<Kind, number> = { create: 0, like: 0, announce: 0, follow: 0 };
  for (const part of text.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m || !(TYPES as readonly string[]).includes(m[1]!)) {
      r.problem(`MIX must be weights like create=6,like=2,announce=1,follow=1 (got '${text}')`);
      return { create: 1, like: 0, announce: 0, follow: 0 };
    }
    mix[m[1] as Kind] = Number(m[2]);
  }
  if (TYPES.every((t) => mix[t] === 0)) r.problem(`MIX gives every activity weight 0 (got '${text}')`);
  return mix;
}

const cfg = readConfig(__ENV);
const actors = (JSON.parse(open(cfg.keysFile)) as { actors: FleetActorKey[] }).actors;
if (actors.length === 0) throw new Error(`federation-inbound: ${cfg.keysFile} lists no fleet accounts`);

const arrival = wholeRate(cfg.rate);
const vus = suggestVUs(cfg.rate, 0.2);

export const options = {
  scenarios: {
    [SCENARIO]: {
      executor: 'constant-arrival-rate',
      rate: arrival.rate,
      timeUnit: arrival.timeUnit,
      duration: formatK6Duration(Math.round(cfg.durationS * 1000)),
      preAllocatedVUs: vus.preAllocatedVUs,
      maxVUs: vus.maxVUs,
      gracefulStop: '10s',
    },
  },
  thresholds: { checks: ['rate>0.99'] },
  summaryTrendStats: SUMMARY_TREND_STATS,
  userAgent: 'mastodon-surge/0.1 (federation-inbound; k6)',
};

// Importing a PEM costs more than a signature: once per account per VU.
const keys = new Map<string, Promise<RsaKey>>();
function keyOf(a: FleetActorKey): Promise<RsaKey> {
  let k = keys.get(a.keyId);
  if (!k) {
    k = importPrivateKeyPem(a.privateKeyPem);
    keys.set(a.keyId, k);
  }
  return k;
}

function pick<T>(list: readonly T[], rng: () => number): T {
  return list[Math.floor(rng() * list.length)]!;
}

function pickKind(rng: () => number): Kind {
  const total = TYPES.reduce((s, t) => s + cfg.mix[t], 0);
  let x = rng() * total;
  for (const t of TYPES) {
    x -= cfg.mix[t];
    if (x < 0) return t;
  }
  return 'create';
}

function activityFor(kind: Kind, sender: FleetActorKey, id: string, rng: () => number): Activity {
  const m = /^(.*)\/users\/([^/]+)$/.exec(sender.actor);
  const ref: ActorRef = { base: m![1]!, username: m![2]! };
  const now = new Date();
  if (kind === 'follow') return follow(ref, pick(cfg.followTargets, rng), id);
  if (kind === 'like') return like(ref, pick(cfg.objects, rng), id);
  if (kind === 'announce') return announce(ref, pick(cfg.objects, rng), id, now);
  return createNote(ref, id, postText(rng), now);
}

export default async function (): Promise<void> {
  const i = exec.scenario.iterationInTest;
  const rng = rngFor(cfg.seed, 0x1b0d, i);
  const kind = pickKind(rng);
  const sender = pick(actors, rng);
  const activity = activityFor(kind, sender, `surge-${cfg.seed.toString(36)}-${i.toString(36)}`, rng);
  const body = JSON.stringify(activity);
  const signed = await signRequest({ method: 'POST', url: cfg.inbox, body, keyId: sender.keyId, privateKey: await keyOf(sender) });
  const name = `inbox ${activity.type}`;
  const res = await http.asyncRequest('POST', cfg.inbox, body, {
    headers: { Date: signed.Date, Digest: signed.Digest!, Signature: signed.Signature, 'Content-Type': LD_JSON, Accept: 'application/activity+json' },
    tags: { name, activity: activity.type },
    responseCallback: http.expectedStatuses(202),
  });
  check(res, { [`${name} accepted (202)`]: (r) => r.status === 202 });
}
