// Not a corpus case: a server that differs between gopk and V8 on purpose,
// so the comparison can be seen to fail. Two different classes of surrogates
// in one pattern, as lodash writes them, collide in goja's regexp engine
// (see docs/compatibility.md) and the pattern silently stops matching emoji.
// When that is fixed, point the canary at another known difference.
import type * as Party from "partykit/server";

export default class Canary implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onRequest() {
    const symbols = new RegExp("[^\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff]", "g");
    return Response.json({
      "surrogate classes": "a😀b".match(symbols),
      "property escape": /^\p{Extended_Pictographic}+$/u.test("😀"),
    });
  }
}
