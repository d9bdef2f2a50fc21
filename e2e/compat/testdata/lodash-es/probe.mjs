// Posts people and a nested config for lodash-es to reshape.
export default async function (t) {
  return t.json("/parties/main/lodash", {
    people: [
      { name: "Ada", age: 36, team: "core", tags: ["math", "ops"] },
      { name: "Linus", age: 28, team: "kernel", tags: [] },
      { name: "Grace", age: 45, team: "core", tags: ["navy"] },
      { name: "Ken", age: 30, team: "kernel", tags: ["ops", "unix", "go"] },
    ],
    config: { a: { b: [{ c: 1 }, { c: 2 }] }, z: null, list: [1, 2, 3] },
    patch: { a: { b: [{ d: 3 }] }, list: [9], extra: { deep: true } },
  });
}
