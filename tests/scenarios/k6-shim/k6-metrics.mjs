import { addSample } from './state.mjs';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

class Metric {
  constructor(type, name, isTime) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    this.type = type;
    this.name = name;
    this.isTime = Boolean(isTime);
  }
  add(value, tags) {
    if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`${this.name}.add: not a number: ${value}`);
    if (Number.isNaN(value)) throw new Error(`${this.name}.add: NaN`);
    addSample(this.name, this.type, value, tags);
  }
}

export class Counter extends Metric {
  constructor(name, isTime) {
    super('counter', name, isTime);
  }
}
export class Trend extends Metric {
  constructor(name, isTime) {
    super('trend', name, isTime);
  }
}
export class Rate extends Metric {
  constructor(name, isTime) {
    super('rate', name, isTime);
  }
}
export class Gauge extends Metric {
  constructor(name, isTime) {
    super('gauge', name, isTime);
  }
}
export default { Counter, Trend, Rate, Gauge };
