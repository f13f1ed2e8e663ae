// A VU's connections: its own plain-http pool and (for https) its own undici
// Agent, as k6 gives each VU its own transport. Used on the main thread for
// http.asyncRequest and on the helper thread for the blocking calls.

import type { Agent } from 'undici';
import { type AgentOptions, createAgent, type PendingRoundTrip, roundTrip, type RoundTripRequest } from './http-transport.js';
import { WirePool } from './http-wire.js';

export class VUTransport {
  private agent: Agent | undefined;
  private wirePool: WirePool | undefined;

  constructor(private readonly o: AgentOptions) {}

  roundTrip(req: RoundTripRequest, plain: boolean): PendingRoundTrip {
    if (plain) {
      this.wirePool ??= new WirePool({ hosts: this.o.hosts, io: this.o.io });
      return this.wirePool.roundTrip(req);
    }
    this.agent ??= createAgent(this.o);
    return roundTrip(this.agent, req, this.o.io);
  }

  close(): void {
    this.wirePool?.close();
    this.wirePool = undefined;
    const agent = this.agent;
    this.agent = undefined;
    if (agent) void agent.destroy().catch(() => undefined);
  }
}
