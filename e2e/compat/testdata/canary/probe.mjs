export default async function (t) {
  return t.json("/parties/main/canary", {});
}
