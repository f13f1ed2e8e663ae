import { state } from './state.mjs';

class AbortError extends Error {}

const exec = {
  get vu() {
    return state.exec.vu;
  },
  get scenario() {
    return state.exec.scenario;
  },
  instance: { iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: 0, vusInitialized: 0, currentTestRunDuration: 0 },
  test: {
    abort(message) {
      state.aborted = message ?? 'aborted';
      throw new AbortError(`test aborted: ${message}`);
    },
    fail(message) {
      state.failed = message ?? 'failed';
    },
    options: null,
  },
};
export default exec;
