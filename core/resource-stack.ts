/** Things to close at the end of a run, closed in reverse order of opening; every closer runs even if one fails. */
export class ResourceStack {
  private readonly closers: Array<{ label: string; close: () => Promise<void> | void }> = [];

  defer(label: string, close: () => Promise<void> | void): void {
    this.closers.push({ label, close });
  }

  async closeAll(onError: (label: string, err: unknown) => void = () => {}): Promise<void> {
    while (this.closers.length) {
      const { label, close } = this.closers.pop()!;
      try {
        await close();
      } catch (err) {
        onError(label, err);
      }
    }
  }
}
