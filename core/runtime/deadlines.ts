/** Something that expires: a run's wall-clock limit, a tool call's timeout. */
export interface Deadline {
  /** Set by the queue: when it expires (ms since the epoch), and its place in the queue (-1 when not queued). */
  deadlineAt: number;
  deadlineIndex: number;
  expire(): void;
}

/**
 * Deadlines of many runs and tool calls behind one timer: a min-heap by time with removal by index. A
 * `setTimeout` per run and per call costs a Timeout object and a closure each (~250 bytes held for the
 * run's life), and most are cleared unfired. The timer is armed for the earliest deadline only and keeps
 * the process alive while anything is queued, so a run stuck on a promise still times out.
 */
export class DeadlineQueue {
  readonly #heap: Deadline[] = [];
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get size(): number {
    return this.#heap.length;
  }

  add(item: Deadline, ms: number): void {
    item.deadlineAt = this.#now() + ms;
    item.deadlineIndex = this.#heap.length;
    this.#heap.push(item);
    this.#up(item.deadlineIndex);
    if (item.deadlineAt < this.#armedFor) this.#arm(item.deadlineAt);
  }

  remove(item: Deadline): void {
    const index = item.deadlineIndex;
    if (index < 0 || this.#heap[index] !== item) return;
    item.deadlineIndex = -1;
    const last = this.#heap.pop()!;
    if (last !== item) {
      this.#heap[index] = last;
      last.deadlineIndex = index;
      this.#down(index);
      this.#up(index);
    }
    // An emptied queue lets go of the process; otherwise the armed timer re-arms itself when it fires.
    if (this.#heap.length === 0) this.#disarm();
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#now();
    while (this.#heap.length && this.#heap[0].deadlineAt <= now) {
      const due = this.#heap[0];
      this.remove(due);
      due.expire();
    }
    if (this.#heap.length) this.#arm(this.#heap[0].deadlineAt);
  };

  #arm(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedFor = at;
    this.#timer = setTimeout(this.#fire, Math.max(0, at - this.#now()));
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  #up(index: number): void {
    const heap = this.#heap;
    const item = heap[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent].deadlineAt <= item.deadlineAt) break;
      heap[index] = heap[parent];
      heap[index].deadlineIndex = index;
      index = parent;
    }
    heap[index] = item;
    item.deadlineIndex = index;
  }

  #down(index: number): void {
    const heap = this.#heap;
    const item = heap[index];
    const length = heap.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && heap[child + 1].deadlineAt < heap[child].deadlineAt) child++;
      if (heap[child].deadlineAt >= item.deadlineAt) break;
      heap[index] = heap[child];
      heap[index].deadlineIndex = index;
      index = child;
    }
    heap[index] = item;
    item.deadlineIndex = index;
  }
}
