/**
 * What the server sends one session, numbered: every message gets the next
 * sequence number and stays here until the client acknowledges it, so that
 * a client whose socket died can be given exactly what it missed. Holds at
 * most `limitBytes`; past that `overflow` is called (a client that neither
 * reads nor comes back cannot make the server buffer without end).
 */
export class Outbox {
  #seq = 0;
  #unacknowledged: Array<{ seq: number; text: string }> = [];
  #bytes = 0;
  #target: ((text: string) => void) | undefined;

  constructor(
    private readonly limitBytes: number,
    private readonly overflow: () => void,
  ) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** The last sequence number given. */
  get seq(): number {
    return this.#seq;
  }

  /** A session taken over from another node goes on numbering after what its client got there. */
  continueAfter(seq: number): void {
    if (this.#seq === 0) this.#seq = seq;
  }

  /** Numbers a message, keeps it, and sends it if a socket is attached. */
  push(encode: (seq: number) => string): void {
    const seq = ++this.#seq;
    const text = encode(seq);
    this.#unacknowledged.push({ seq, text });
    this.#bytes += text.length;
    if (this.#bytes > this.limitBytes) {
      this.overflow();
      return;
    }
    this.#target?.(text);
  }

  /** The client has everything up to `seq`. */
  acknowledge(seq: number): void {
    let drop = 0;
    while (drop < this.#unacknowledged.length && this.#unacknowledged[drop].seq <= seq) {
      this.#bytes -= this.#unacknowledged[drop].text.length;
      drop++;
    }
    if (drop > 0) this.#unacknowledged = this.#unacknowledged.slice(drop);
  }

  /** Whether a client that has everything up to `lastSeq` can be given the rest. */
  canContinueFrom(lastSeq: number): boolean {
    const oldest = this.#unacknowledged[0]?.seq ?? this.#seq + 1;
    return lastSeq <= this.#seq && lastSeq >= oldest - 1;
  }

  /**
   * Sends from now on through `target`, after replaying what came after
   * `lastSeq`. False, changing nothing, when it cannot continue from there.
   */
  attach(target: (text: string) => void, lastSeq = this.#seq): boolean {
    if (!this.canContinueFrom(lastSeq)) return false;
    this.acknowledge(lastSeq);
    this.#target = target;
    for (const { text } of this.#unacknowledged) target(text);
    return true;
  }

  /** The socket is gone: keep collecting, send nothing. */
  detach(): void {
    this.#target = undefined;
  }
}
