import type { Knex } from '@mikro-orm/knex';

/** A write waiting for its group. */
interface QueuedWrite {
  readonly work: (db: Knex) => Promise<unknown>;
  /** One statement (`transaction: false`): alone in its group, it needs no BEGIN and COMMIT around it. */
  readonly single: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite's one writer: writes queued while a transaction commits run together in the next
 * one, so a busy server pays one commit (one fsync with synchronous=FULL) for many writes instead of one each.
 * Every write still resolves only after its transaction committed: nothing is acknowledged before it is durable.
 *
 * A write that throws is rejected alone; the others of its group commit. That is safe because each write is
 * one statement that changes anything (after any checks), and SQLite undoes a failed statement by itself
 * without ending the transaction. A write of several changing statements must wrap them in `trx.transaction`
 * (a savepoint). When the commit itself fails, every write of the group is rejected with that error.
 *
 * On Postgres (a pool of connections, commits grouped by the server) each write is its own transaction, or
 * runs on the pool directly when it is a single statement (`transaction: false`).
 */
export class WriteGroup {
  readonly #knex: Knex;
  readonly #grouped: boolean;
  #queue: QueuedWrite[] = [];
  #draining: Promise<void> | undefined;
  /** Groups committed and writes in them: how well writes coalesce (writes / groups). */
  readonly stats = { groups: 0, writes: 0 };

  constructor(knex: Knex, grouped: boolean) {
    this.#knex = knex;
    this.#grouped = grouped;
  }

  /**
   * Runs `work` inside a transaction (shared with other writes on SQLite); resolves after the commit.
   * `atomic`: several changing statements, all or none (a savepoint inside the group). `transaction: false`:
   * a single statement, which Postgres commits by itself.
   */
  run<T>(work: (db: Knex) => Promise<T>, options: { atomic?: boolean; transaction?: boolean } = {}): Promise<T> {
    if (!this.#grouped) return options.transaction === false ? work(this.#knex) : this.#knex.transaction((trx) => work(trx));
    const queued = options.atomic ? (trx: Knex) => trx.transaction((savepoint) => work(savepoint)) : work;
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work: queued, single: options.transaction === false, resolve: resolve as (value: unknown) => void, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves once every write queued so far has settled. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    // Let the writes of this turn of the event loop join the first group.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length) {
        const group = this.#queue;
        this.#queue = [];
        await this.#commit(group);
      }
    } finally {
      this.#draining = undefined;
      // #commit settles every write itself; should it ever throw, what is queued still gets its turn.
      if (this.#queue.length) this.#draining = this.#drain();
    }
  }

  async #commit(group: readonly QueuedWrite[]): Promise<void> {
    if (group.length === 1 && group[0].single) {
      // A lone statement commits by itself: two round trips fewer for a quiet server or a lone event batch.
      const [write] = group;
      this.stats.groups++;
      this.stats.writes++;
      await Promise.resolve()
        .then(() => write.work(this.#knex))
        .then(write.resolve, write.reject);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await this.#knex.transaction(async (trx) => {
        for (const write of group) {
          try {
            outcomes.push({ ok: true, value: await write.work(trx) });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      });
    } catch (error) {
      for (const write of group) write.reject(error);
      return;
    }
    this.stats.groups++;
    this.stats.writes += group.length;
    group.forEach((write, i) => (outcomes[i].ok ? write.resolve(outcomes[i].value) : write.reject(outcomes[i].value)));
  }
}
