export class SharedArray {
  constructor(name, fn) {
    const data = fn();
    if (!Array.isArray(data)) throw new Error('SharedArray: the function must return an array');
    return JSON.parse(JSON.stringify(data));
  }
}
export default { SharedArray };
