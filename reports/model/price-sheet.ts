// What capacity costs, so the projection can end in money. The defaults are
// EXAMPLE list prices, round figures in the range of mid-priced clouds
// (general-purpose VMs, SSD block storage, a pay-as-you-go transactional mail
// service). They are not quotes from any provider: edit them to your own
// provider's prices with a price-sheet file (JSON or YAML, parsed by the caller).
import { z } from 'zod';
import { parseConfig } from './config-errors.js';

export interface PriceSheet {
  /** ISO 4217 code, shown with every amount. */
  currency: string;
  vcpuMonth: number;
  /** Per GiB of RAM per month. */
  ramGbMonth: number;
  /** Per GiB of SSD block storage per month. */
  storageGbMonth: number;
  /** Per 1,000 mails sent. */
  mailPer1000: number;
  /** Where the prices come from, printed under the cost. */
  source: string;
}

export const DEFAULT_PRICE_SHEET: PriceSheet = Object.freeze({
  currency: 'USD',
  vcpuMonth: 15,
  ramGbMonth: 3,
  storageGbMonth: 0.1,
  mailPer1000: 1,
  source: 'example list prices (mid-priced cloud VMs, SSD block storage, pay-as-you-go transactional mail); edit them for your provider',
});

const price = (what: string) =>
  z.number({ error: `must be a price ${what}, a number 0 or more` }).min(0, { error: `must be a price ${what}, a number 0 or more` }).optional();

/** An override file: any subset of the fields; unknown keys are refused. */
export const priceSheetSchema = z.strictObject({
  currency: z
    .string({ error: "must be a 3-letter currency code such as 'USD' or 'EUR'" })
    .regex(/^[A-Z]{3}$/, { error: "must be a 3-letter currency code such as 'USD' or 'EUR'" })
    .optional(),
  vcpuMonth: price('per vCPU per month'),
  ramGbMonth: price('per GiB of RAM per month'),
  storageGbMonth: price('per GiB of storage per month'),
  mailPer1000: price('per 1,000 mails'),
  source: z.string({ error: 'must be text saying where the prices come from' }).optional(),
});

/** The defaults with the file's prices applied; throws a one-line ReportConfigError. */
export function parsePriceSheet(data: unknown, source = 'price sheet'): PriceSheet {
  const o = parseConfig(priceSheetSchema, data, source);
  const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  // Changing a price without saying where it came from would keep the "example" label on real prices.
  const changed = Object.keys(defined).some((k) => k !== 'source');
  return { ...DEFAULT_PRICE_SHEET, ...(changed && !defined.source ? { source: `edited (${source})` } : {}), ...defined };
}
