// Posts dates for date-fns to parse, format, localize and do arithmetic on.
export default async function (t) {
  return t.json("/parties/main/dates", {
    base: "2024-03-15T14:05:09.123Z",
    dates: [
      "2024-02-29T23:59:59Z", "2023-12-31", "1999-12-31T23:59:59.999+05:30", "2021-W52-7", "2024-060",
      "1970-01-01T00:00:00Z", "0099-06-15", "2024-13-01", "not a date", "2038-01-19T03:14:08Z", "-000001-01-01",
    ],
  });
}
