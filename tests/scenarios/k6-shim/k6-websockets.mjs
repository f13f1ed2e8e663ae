// k6/websockets over `ws`: the browser-style API the scenarios use (onopen,
// onmessage, onclose, onerror), with k6's (url, protocols, params) arguments.
import { WebSocket as WS } from 'ws';

export class WebSocket extends WS {
  constructor(url, protocols, params) {
    super(url, protocols ?? undefined, { headers: params?.headers });
  }
}

export default { WebSocket };
