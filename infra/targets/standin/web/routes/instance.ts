import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../context.js';
import { registrationsMode } from '../settings.js';
import { MAX_CHARS, URL_CHARS } from '../status-length.js';

// /api/v1/instance and /api/v2/instance with the limits clients read before
// posting, and /health as Puma's health check.

export const MASTODON_VERSION = '4.5.0';

export function instanceRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { baseUrl, localDomain, streamingApiBaseUrl: streaming } = ctx.config;

  async function facts() {
    const mode = await registrationsMode(ctx.db, ctx.config.registrationsMode);
    const { rows } = await ctx.db.query(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM statuses) AS statuses,
              (SELECT count(*) FROM users WHERE current_sign_in_at > now() - interval '30 days') AS active_month`,
    );
    return { mode, users: Number(rows[0].users), statuses: Number(rows[0].statuses), activeMonth: Number(rows[0].active_month) };
  }

  const thumbnail = { url: `${baseUrl}/packs/media/images/preview.png` };

  const configuration = {
    accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
    statuses: { max_characters: MAX_CHARS, max_media_attachments: 4, characters_reserved_per_url: URL_CHARS },
    media_attachments: {
      supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4'],
      image_size_limit: 16777216,
      image_matrix_limit: 33177600,
      video_size_limit: 103809024,
      video_frame_rate_limit: 120,
      video_matrix_limit: 8294400,
    },
    polls: { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2629746 },
  };

  app.get('/api/v1/instance', { config: { controller: 'api/v1/instances', action: 'show' } }, async () => {
    const f = await facts();
    return {
      uri: localDomain,
      title: 'mastodon-surge stand-in',
      short_description: 'A Mastodon-compatible stand-in instance for load rehearsals.',
      description: 'A Mastodon-compatible stand-in instance for load rehearsals.',
      email: `admin@${localDomain.replace(/:\d+$/, '')}`,
      version: MASTODON_VERSION,
      urls: { streaming_api: streaming },
      stats: { user_count: f.users, status_count: f.statuses, domain_count: 0 },
      // With no thumbnail uploaded Mastodon points at its default preview image, as v2 does.
      thumbnail: thumbnail.url,
      languages: ['en'],
      registrations: f.mode !== 'none',
      approval_required: f.mode === 'approved',
      invites_enabled: false,
      configuration,
      contact_account: null,
      rules: [],
    };
  });

  app.get('/api/v2/instance', { config: { controller: 'api/v2/instances', action: 'show' } }, async () => {
    const f = await facts();
    return {
      domain: localDomain,
      title: 'mastodon-surge stand-in',
      version: MASTODON_VERSION,
      source_url: 'https://github.com/mastodon/mastodon',
      description: 'A Mastodon-compatible stand-in instance for load rehearsals.',
      usage: { users: { active_month: f.activeMonth } },
      thumbnail,
      icon: [],
      languages: ['en'],
      configuration: {
        urls: { streaming, status: null, about: `${baseUrl}/about`, privacy_policy: `${baseUrl}/privacy-policy`, terms_of_service: null },
        vapid: { public_key: '' },
        ...configuration,
        translation: { enabled: false },
        timelines_access: {
          live_feeds: { local: 'public', remote: 'public' },
          hashtag_feeds: { local: 'public', remote: 'public' },
          trending_link_feeds: { local: 'public', remote: 'public' },
        },
        limited_federation: false,
      },
      registrations: { enabled: f.mode !== 'none', approval_required: f.mode === 'approved', reason_required: false, message: null, min_age: null, url: null },
      api_versions: { mastodon: 6 },
      contact: { email: `admin@${localDomain.replace(/:\d+$/, '')}`, account: null },
      rules: [],
    };
  });

  // Clients ask for these when they start; the stand-in has no custom emoji and no rules.
  app.get('/api/v1/custom_emojis', { config: { controller: 'api/v1/custom_emojis', action: 'index' } }, async () => []);
  app.get('/api/v1/instance/rules', { config: { controller: 'api/v1/instances/rules', action: 'index' } }, async () => []);

  app.get('/health', { config: { controller: 'health', action: 'show' } }, async (_req, reply) => reply.type('text/plain').send('OK'));
}
