// Date arithmetic and formatting with date-fns (in UTC, the room's time
// zone), including its locales: the answers depend on Date, Intl-free format
// tokens, and date-fns's own locale data.
import type * as Party from "partykit/server";
import {
  addBusinessDays, addMonths, differenceInCalendarDays, differenceInBusinessDays, eachDayOfInterval, eachWeekOfInterval,
  endOfMonth, format, formatDistance, formatDistanceStrict, formatDuration, formatISO, formatRelative, getISOWeek,
  intervalToDuration, isValid, isWeekend, lastDayOfMonth, nextFriday, parse, parseISO, startOfWeek, sub, formatRFC7231,
  isLeapYear, closestTo, compareAsc, fromUnixTime, getUnixTime, roundToNearestMinutes, setDay,
} from "date-fns";
import { de, fr, ja, arEG, ptBR, enUS } from "date-fns/locale";

const locales = { enUS, de, fr, ja, arEG, ptBR };

function iso(d: Date) {
  return isValid(d) ? d.toISOString() : "Invalid Date";
}

export default class DateFnsParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const { dates, base } = (await req.json()) as { dates: string[]; base: string };
    const b = parseISO(base);
    const out: Record<string, unknown> = {};
    out.parsed = dates.map((s) => iso(parseISO(s)));
    out.parsedPattern = ["03/15/2024 14:05", "31/12/1999 23:59", "02/30/2024 00:00"].map((s) => iso(parse(s, "MM/dd/yyyy HH:mm", b)));
    out.formats = dates.map((s) => {
      const d = parseISO(s);
      if (!isValid(d)) return null;
      return [
        format(d, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"),
        format(d, "EEEE, MMMM do yyyy, h:mm:ss a"),
        format(d, "QQQ wo RRRR-'W'II-i t T"),
        formatISO(d),
        formatRFC7231(d),
        getISOWeek(d),
        isWeekend(d),
        isLeapYear(d),
      ];
    });
    out.localized = Object.fromEntries(
      Object.entries(locales).map(([name, locale]) => [
        name,
        [
          format(b, "PPPPpppp", { locale }),
          format(b, "EEEE d MMMM yyyy", { locale }),
          formatDistance(b, parseISO("2024-01-01T00:00:00Z"), { locale, addSuffix: true }),
          formatRelative(sub(b, { days: 3 }), b, { locale }),
          formatDuration({ years: 1, months: 2, days: 5, hours: 3 }, { locale }),
          startOfWeek(b, { locale }).toISOString(),
        ],
      ]),
    );
    out.arithmetic = {
      addMonths: [addMonths(parseISO("2024-01-31T00:00:00Z"), 1), addMonths(b, -13)].map(iso),
      addBusinessDays: iso(addBusinessDays(b, 10)),
      endOfMonth: iso(endOfMonth(b)),
      lastDayOfMonth: iso(lastDayOfMonth(parseISO("2024-02-10T00:00:00Z"))),
      nextFriday: iso(nextFriday(b)),
      setDay: iso(setDay(b, 0, { weekStartsOn: 1 })),
      differenceInCalendarDays: differenceInCalendarDays(b, parseISO("2000-01-01T00:00:00Z")),
      differenceInBusinessDays: differenceInBusinessDays(b, parseISO("2024-01-01T00:00:00Z")),
      days: eachDayOfInterval({ start: sub(b, { days: 3 }), end: b }).map(iso),
      weeks: eachWeekOfInterval({ start: parseISO("2024-02-01T00:00:00Z"), end: parseISO("2024-03-01T00:00:00Z") }).map(iso),
      duration: intervalToDuration({ start: parseISO("2020-02-29T10:00:00Z"), end: b }),
      strict: formatDistanceStrict(parseISO("2020-02-29T10:00:00Z"), b, { unit: "day" }),
      closest: iso(closestTo(b, dates.map((s) => parseISO(s)).filter(isValid))!),
      sorted: dates.map((s) => parseISO(s)).filter(isValid).sort(compareAsc).map(iso),
      unix: [getUnixTime(b), iso(fromUnixTime(1700000000))],
      rounded: iso(roundToNearestMinutes(parseISO("2024-03-10T10:07:31Z"), { nearestTo: 15 })),
    };
    return Response.json(out);
  }
}
