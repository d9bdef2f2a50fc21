// Validates posted values with valibot: string actions (emoji, email, uuid,
// …, several built on \p{…}/u regexps), object and union schemas, transforms,
// and its flattened issues.
import type * as Party from "partykit/server";
import * as v from "valibot";

const strings = {
  emoji: v.pipe(v.string(), v.emoji()),
  email: v.pipe(v.string(), v.email()),
  rfcEmail: v.pipe(v.string(), v.rfcEmail()),
  uuid: v.pipe(v.string(), v.uuid()),
  url: v.pipe(v.string(), v.url()),
  ip: v.pipe(v.string(), v.ip()),
  isoTimestamp: v.pipe(v.string(), v.isoTimestamp()),
  hexColor: v.pipe(v.string(), v.hexColor()),
  graphemes: v.pipe(v.string(), v.maxGraphemes(3)),
  words: v.pipe(v.string(), v.minWords("en", 2)),
  slug: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*$/u, "not a slug")),
};

const Profile = v.object({
  name: v.pipe(v.string(), v.minLength(2), v.maxLength(20)),
  email: v.pipe(v.string(), v.email()),
  born: v.pipe(v.string(), v.isoDate(), v.transform((s) => new Date(s).getUTCFullYear())),
  mood: v.optional(v.pipe(v.string(), v.emoji()), "🙂"),
  links: v.array(v.pipe(v.string(), v.url())),
  kind: v.picklist(["person", "bot"]),
});

const Event = v.variant("type", [
  v.object({ type: v.literal("join"), room: v.string() }),
  v.object({ type: v.literal("say"), text: v.pipe(v.string(), v.nonEmpty()) }),
]);

function result(r: v.SafeParseResult<any>) {
  if (r.success) return { ok: r.output };
  return {
    flat: v.flatten(r.issues),
    issues: r.issues.map((i) => ({ kind: i.kind, type: i.type, expected: i.expected, received: i.received, message: i.message, path: i.path?.map((p) => p.key) })),
  };
}

export default class ValibotParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const body = (await req.json()) as { strings: string[]; profiles: unknown[]; events: unknown[] };
    const out: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(strings)) {
      out[name] = body.strings.map((s) => result(v.safeParse(schema, s)));
    }
    out.profiles = body.profiles.map((p) => result(v.safeParse(Profile, p)));
    out.events = body.events.map((e) => result(v.safeParse(Event, e)));
    return Response.json(out);
  }
}
