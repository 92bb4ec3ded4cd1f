/**
 * A room's `maximumMessageRatePerSecond`: one budget for the whole room, all
 * clients together (there is no per-user limit), over a sliding second.
 */
export class RoomMessageRate {
  private readonly accepted = new Map<string, number[]>();

  constructor(private readonly windowMs = 1_000) {}

  /** Counts one message for the room if it is under its limit; false means refuse it (429). */
  tryAccept(roomArn: string, limitPerSecond: number, nowMs: number): boolean {
    const recent = (this.accepted.get(roomArn) ?? []).filter((time) => nowMs - time < this.windowMs);
    const allowed = recent.length < limitPerSecond;
    if (allowed) recent.push(nowMs);
    this.accepted.set(roomArn, recent);
    return allowed;
  }
}
