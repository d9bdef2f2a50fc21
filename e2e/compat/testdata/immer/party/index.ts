// A shared to-do list kept as an immutable immer state: each WebSocket
// message is an action applied with produce, answered with the patches it
// made, the inverse patches, and facts about structural sharing and
// freezing. Uses Proxy, Map/Set drafts, patches and current/original.
import type * as Party from "partykit/server";
import { produce, enablePatches, enableMapSet, applyPatches, current, original, isDraft, freeze, castDraft, type Patch } from "immer";

enablePatches();
enableMapSet();

type Todo = { id: number; text: string; done: boolean; tags: Set<string> };
type State = { todos: Todo[]; byUser: Map<string, number[]>; meta: { version: number; log: string[] } };

type Action =
  | { type: "add"; user: string; text: string; tags: string[] }
  | { type: "toggle"; id: number }
  | { type: "retag"; id: number; tag: string }
  | { type: "remove"; id: number }
  | { type: "undo" }
  | { type: "throw" };

function plain(value: unknown): unknown {
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [k, plain(v)]) };
  if (value instanceof Set) return { set: [...value].map(plain) };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export default class ImmerParty implements Party.Server {
  state: State = freeze({ todos: [], byUser: new Map(), meta: { version: 0, log: [] } }, true);
  undo: Patch[][] = [];

  constructor(readonly room: Party.Room) {}

  onMessage(message: string, sender: Party.Connection) {
    const action = JSON.parse(message) as Action;
    const before = this.state;
    let seen: unknown = null;
    try {
      let patches: Patch[] = [];
      let inverse: Patch[] = [];
      if (action.type === "undo") {
        this.state = applyPatches(this.state, this.undo.pop() ?? []);
      } else {
        this.state = produce(
          this.state,
          (draft) => {
            seen = { isDraft: isDraft(draft), versionBefore: original(draft)!.meta.version };
            draft.meta.version++;
            draft.meta.log.push(action.type);
            switch (action.type) {
              case "add": {
                const id = draft.todos.length ? Math.max(...draft.todos.map((t) => t.id)) + 1 : 1;
                draft.todos.push(castDraft({ id, text: action.text, done: false, tags: new Set(action.tags) }));
                const mine = draft.byUser.get(action.user) ?? [];
                mine.push(id);
                draft.byUser.set(action.user, mine);
                break;
              }
              case "toggle": {
                const todo = draft.todos.find((t) => t.id === action.id);
                if (todo) todo.done = !todo.done;
                break;
              }
              case "retag": {
                const todo = draft.todos.find((t) => t.id === action.id)!;
                if (todo.tags.has(action.tag)) todo.tags.delete(action.tag);
                else todo.tags.add(action.tag);
                (seen as Record<string, unknown>).current = plain(current(todo));
                break;
              }
              case "remove":
                draft.todos.splice(draft.todos.findIndex((t) => t.id === action.id), 1);
                for (const [user, ids] of draft.byUser) {
                  if (ids.includes(action.id)) draft.byUser.set(user, ids.filter((i) => i !== action.id));
                }
                break;
              case "throw":
                throw new Error("recipe failed on purpose");
            }
          },
          (p, inv) => {
            patches = p;
            inverse = inv;
          },
        );
        this.undo.push(inverse);
      }
      sender.send(
        JSON.stringify({
          state: plain(this.state),
          patches: plain(patches),
          inverse: plain(inverse),
          seen,
          frozen: Object.isFrozen(this.state) && Object.isFrozen(this.state.todos),
          sharedTodos: this.state.todos.map((t, i) => before.todos[i] === t),
          sameMeta: before.meta === this.state.meta,
        }),
      );
    } catch (err) {
      sender.send(JSON.stringify({ error: String(err), unchanged: before === this.state, seen }));
    }
  }
}
