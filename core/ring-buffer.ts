// Fixed-capacity FIFO that overwrites its oldest item: the bounded window behind rolling
// indicators, so per-symbol state never grows with the length of the stream.

/** A ring buffer holding at most `capacity` items; pushing into a full buffer drops the oldest. */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #slots: (T | undefined)[];
  #head = 0; // index of the oldest item
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  get isFull(): boolean {
    return this.#size === this.capacity;
  }

  /** Appends `item`; returns the item it displaced when the buffer was full. */
  push(item: T): T | undefined {
    if (this.#size < this.capacity) {
      this.#slots[(this.#head + this.#size) % this.capacity] = item;
      this.#size++;
      return undefined;
    }
    const evicted = this.#slots[this.#head];
    this.#slots[this.#head] = item;
    this.#head = (this.#head + 1) % this.capacity;
    return evicted;
  }

  /** Item `index` counted from the oldest (0) to the newest (size - 1); undefined out of range. */
  at(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#size) return undefined;
    return this.#slots[(this.#head + index) % this.capacity];
  }

  /** The newest item. */
  last(): T | undefined {
    return this.at(this.#size - 1);
  }

  /** Items oldest first (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#slots[(this.#head + i) % this.capacity] as T);
    return out;
  }

  /** Empties the buffer, releasing references to its items. */
  clear(): void {
    this.#slots.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }
}
