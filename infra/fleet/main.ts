// The fleet as its own process (started by infra/fleet/process.ts): reads its
// options as JSON from FLEET_OPTIONS, writes the k6 key file when
// FLEET_KEY_FILE is set, prints one JSON line once every domain answers, and
// stops on SIGTERM/SIGINT. The control endpoint listens on loopback unless
// FLEET_CONTROL_HOST/FLEET_CONTROL_PORT say otherwise (in a container its
// port is published for the harness).

import { onShutdown } from '../services/shutdown.js';
import { startControl } from './control.js';
import { startFleet, type FleetOptions } from './fleet.js';

export interface FleetReady {
  controlUrl: string;
  domains: { domain: string; base: string; usernames: string[] }[];
  caFile: string | undefined;
  hostsLines: string[];
}

const options = JSON.parse(process.env.FLEET_OPTIONS ?? '{}') as FleetOptions;
const fleet = await startFleet({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
const control = await startControl(fleet, process.env.FLEET_CONTROL_HOST || undefined, Number(process.env.FLEET_CONTROL_PORT ?? 0));
onShutdown(async () => {
  control.server.close();
  await fleet.stop();
});
if (process.env.FLEET_KEY_FILE) await fleet.writeKeyFile(process.env.FLEET_KEY_FILE);
const ready: FleetReady = {
  controlUrl: control.url,
  domains: fleet.domains.map((d) => ({ domain: d.domain, base: d.base, usernames: d.usernames })),
  caFile: fleet.tls?.caFile,
  hostsLines: fleet.hostsLines,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
