// Validates the posted strings and objects with zod 4 (and its bundled v3
// API), answering every parse result. zod's emoji check is a \p{…}/u regexp
// built with new RegExp: on a runtime where \p never matches, it silently
// rejects every emoji.
import type * as Party from "partykit/server";
import { z } from "zod";
import { z as z3 } from "zod/v3";

const User = z.object({
  name: z.string().min(2).max(20),
  email: z.email(),
  id: z.uuid(),
  age: z.coerce.number().int().positive().optional(),
  tags: z.array(z.string().emoji()).default([]),
  role: z.enum(["admin", "member"]),
});

const Shape = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("circle"), r: z.number().nonnegative() }),
  z.object({ kind: z.literal("rect"), w: z.number(), h: z.number() }),
]);

const Slug = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/\s+/g, "-"))
  .refine((s) => /^[\p{L}\p{N}-]+$/u.test(s), { message: "not a slug" });

const strings: Record<string, z.ZodType> = {
  emoji: z.string().emoji(),
  email: z.string().email(),
  uuid: z.string().uuid(),
  guid: z.guid(),
  url: z.url(),
  ipv4: z.ipv4(),
  ipv6: z.ipv6(),
  datetime: z.iso.datetime(),
  base64: z.base64(),
  cuid: z.cuid(),
  nanoid: z.nanoid(),
  slug: Slug,
};

const strings3: Record<string, z3.ZodTypeAny> = {
  emoji: z3.string().emoji(),
  email: z3.string().email(),
  uuid: z3.string().uuid(),
  datetime: z3.string().datetime(),
};

function result(r: { success: boolean; data?: unknown; error?: { issues: unknown[] } }) {
  return r.success ? { ok: r.data } : { issues: r.error!.issues };
}

export default class ZodParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const body = (await req.json()) as { strings: string[]; users: unknown[]; shapes: unknown[] };
    const out: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(strings)) {
      out[name] = body.strings.map((s) => result(schema.safeParse(s)));
    }
    for (const [name, schema] of Object.entries(strings3)) {
      out["v3 " + name] = body.strings.map((s) => result(schema.safeParse(s)));
    }
    out.users = body.users.map((u) => result(User.safeParse(u)));
    out.shapes = body.shapes.map((s) => result(Shape.safeParse(s)));
    out.prettyError = z.prettifyError(User.safeParse(body.users.at(-1)).error!);
    out.jsonSchema = z.toJSONSchema(User, { io: "input" });
    return Response.json(out);
  }
}
