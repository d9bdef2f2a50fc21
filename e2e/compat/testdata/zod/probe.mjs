// Posts strings and objects for zod to judge; every parse result, issues
// included, is compared between the server and Node 20.
const strings = [
  "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "#️⃣", "1️⃣", "❤️", "a😀", "abc", "", "123", "©", "™️", "🫠", "🫥",
  "ab@example.com", "first.last+tag@sub.example.co.uk", "a@b", "a@@b.com", "müller@example.de", "user@xn--mller-kva.de",
  "123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "f47ac10b-58cc-4372-a567-0e02b2c3d479",
  "F47AC10B-58CC-4372-A567-0E02B2C3D479", "f47ac10b58cc4372a5670e02b2c3d479",
  "https://example.com/a?b=c", "mailto:x@y.z", "ftp://[::1]:21/", "//no-scheme",
  "192.168.0.1", "256.1.1.1", "::1", "2001:db8::ff00:42:8329", "1:2:3:4:5:6:7:8:9",
  "2024-02-29T12:34:56Z", "2024-02-29T12:34:56.789+02:00", "2024-13-01T00:00:00Z",
  "SGVsbG8=", "SGVsbG8", "cjld2cjxh0000qzrmn831i7rn", "V1StGXR8_Z5jdHi6B-myT",
  "  Hello World  ", "Grüße Straße", "naïve café", "x y_z",
];

const users = [
  { name: "Ada", email: "ada@example.com", id: "f47ac10b-58cc-4372-a567-0e02b2c3d479", age: "36", tags: ["🚀", "🧮"], role: "admin" },
  { name: "B", email: "not-an-email", id: "nope", age: "-3.5", tags: ["x"], role: "owner" },
  { name: "Chris", email: "c@example.org", id: "123e4567-e89b-12d3-a456-426614174000", role: "member" },
  { email: 7, extra: true },
];

const shapes = [{ kind: "circle", r: 2 }, { kind: "rect", w: 1, h: "2" }, { kind: "hexagon" }, { kind: "circle", r: -1 }];

export default async function (t) {
  return t.json("/parties/main/zod", { strings, users, shapes });
}
