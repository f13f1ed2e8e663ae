// One error type for everything a user can get wrong about a wave (bad file,
// unknown name, bad factor), so a CLI can print `err.message` as-is: it is
// always a single line that names the problem and the fix.
export class WaveError extends Error {
  override readonly name = 'WaveError';
}
