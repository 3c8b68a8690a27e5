/** The last N characters of a process's combined output, kept for error messages and reports. */
export class OutputRing {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly maxChars: number = 256 * 1024) {}

  /** Append a chunk, dropping the oldest text beyond the limit. */
  append(chunk: string): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxChars && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    if (this.size > this.maxChars) {
      const only = this.chunks[0]!.slice(-this.maxChars);
      this.chunks = [only];
      this.size = only.length;
    }
  }

  /** Everything kept, oldest first. */
  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }
}
