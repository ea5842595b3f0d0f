/** Seeded randomness, so `--seed N` repeats the workload's choices exactly. */
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

export class SeededRandom {
  private readonly generator: RandomGenerator;

  /** Derives an independent stream per `stream` name, so clients do not share choices. */
  constructor(seed: number, stream = '') {
    let mixed = seed >>> 0;
    for (const char of stream) mixed = (Math.imul(mixed ^ char.charCodeAt(0), 0x9e3779b1) + 0x7f4a7c15) >>> 0;
    this.generator = xoroshiro128plus(mixed);
  }

  /** Returns an integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.generator);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)];
  }

  /** Picks a key with probability proportional to its weight; weights must not all be 0. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (total <= 0) throw new Error('every weight is 0');
    let draw = this.int(1, total);
    for (const [key, weight] of entries) {
      draw -= weight;
      if (draw <= 0) return key;
    }
    return entries[entries.length - 1][0];
  }
}
