import { runtime } from "fakepkg";
import sub from "fakepkg/sub";
import fields from "fakepkg-fields";
import * as punycode from "punycode";

export default {
  runtime,
  sub: sub.sub,
  fields,
  punycode: (punycode as any).fake === true,
};
