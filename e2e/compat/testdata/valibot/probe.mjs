// Posts strings and objects for valibot to judge; every result, issues
// included, is compared between the server and Node 20.
const strings = [
  "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "#️⃣", "❤️", "a😀", "abc", "", "©", "🫠",
  "ab@example.com", "first.last+tag@sub.example.co.uk", "a@b", "müller@example.de",
  "123e4567-e89b-12d3-a456-426614174000", "F47AC10B-58CC-4372-A567-0E02B2C3D479", "f47ac10b58cc4372a5670e02b2c3d479",
  "https://example.com/a?b=c", "http://[::1]:8080/", "not a url",
  "192.168.0.1", "::ffff:1.2.3.4", "2001:db8::1", "999.1.1.1",
  "2024-02-29T12:34:56.789Z", "2024-02-29 12:34:56+02:00", "2024-02-30T00:00:00Z",
  "#fff", "#ABCDEF80", "#ggg",
  "e\u0301te\u0301", "👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧", "Grüße Straße", "  Hello World  ", "Ünïcödé-Straße", "one",
];

const profiles = [
  { name: "Ada", email: "ada@example.com", born: "1815-12-10", mood: "🧮", links: ["https://example.com"], kind: "person" },
  { name: "R2", email: "r2@example.com", born: "1977-05-25", links: [], kind: "bot" },
  { name: "X", email: "x@", born: "1999-02-30", mood: "meh", links: ["nope"], kind: "alien" },
  null,
];

const events = [{ type: "join", room: "a" }, { type: "say", text: "" }, { type: "leave" }, "join"];

export default async function (t) {
  return t.json("/parties/main/valibot", { strings, profiles, events });
}
