// Not a corpus case: a server that differs between gopk and V8 on purpose,
// so the comparison can be seen to fail. Intl formats a region variant with
// its language's data (see docs/compatibility.md): V8 names January
// "Jänner" in de-AT, gopk "Januar". When that is fixed, point the canary at
// another known difference.
import type * as Party from "partykit/server";

export default class Canary implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onRequest() {
    const january = new Date(Date.UTC(2024, 0, 15));
    return Response.json({
      "month in de-AT": new Intl.DateTimeFormat("de-AT", { month: "long", timeZone: "UTC" }).format(january),
      "month in de-DE": new Intl.DateTimeFormat("de-DE", { month: "long", timeZone: "UTC" }).format(january),
      "property escape": /^\p{Extended_Pictographic}+$/u.test("😀"),
    });
  }
}
