import type pg from 'pg';
import type { RegistrationsMode } from '../config.js';

// Server settings that `tootctl settings` changes on a real instance.

export async function registrationsMode(db: pg.Pool, fallback: RegistrationsMode): Promise<RegistrationsMode> {
  const { rows } = await db.query("SELECT value FROM settings WHERE var = 'registrations_mode'");
  return (rows[0]?.value as RegistrationsMode | undefined) ?? fallback;
}

export async function setRegistrationsMode(db: pg.Pool, mode: RegistrationsMode): Promise<void> {
  await db.query(
    "INSERT INTO settings (var, value) VALUES ('registrations_mode', $1) ON CONFLICT (var) DO UPDATE SET value = EXCLUDED.value",
    [mode],
  );
}
