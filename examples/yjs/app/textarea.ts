import type * as Y from "yjs";

// The smallest edit that turns before into after: remove `remove` UTF-16
// code units at index, then insert `insert` there. Y.Text counts in the same
// units as a textarea's value.
export function diff(before: string, after: string) {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  return {
    index: start,
    remove: before.length - start - end,
    insert: after.slice(start, after.length - end),
  };
}

type Delta = Array<{ retain?: number; insert?: string | object; delete?: number }>;

// moveThrough maps a caret position across a remote change, so a caret
// stays next to the text it was next to.
export function moveThrough(pos: number, delta: Delta) {
  let at = 0; // index in the text before the change
  let moved = pos;
  for (const op of delta) {
    if (at >= pos) break; // text inserted at the caret goes after it
    if (op.retain) at += op.retain;
    else if (typeof op.insert === "string") moved += op.insert.length;
    else if (op.delete) {
      moved -= Math.min(op.delete, pos - at);
      at += op.delete;
    }
  }
  return moved;
}

// bindTextarea keeps a textarea and a Y.Text equal: local typing becomes
// Yjs edits, and edits from others are applied to the textarea without
// moving the local caret or selection out of place.
export function bindTextarea(textarea: HTMLTextAreaElement, text: Y.Text) {
  const origin = { binding: "textarea" };
  let shown = text.toString();
  textarea.value = shown;

  const onInput = () => {
    const { index, remove, insert } = diff(shown, textarea.value);
    shown = textarea.value;
    text.doc!.transact(() => {
      if (remove > 0) text.delete(index, remove);
      if (insert) text.insert(index, insert);
    }, origin);
  };
  const onChange = (event: Y.YTextEvent) => {
    if (event.transaction.origin === origin) return;
    const delta = event.delta as Delta;
    const focused = document.activeElement === textarea;
    const [start, end] = [textarea.selectionStart, textarea.selectionEnd];
    shown = text.toString();
    textarea.value = shown;
    if (focused) textarea.setSelectionRange(moveThrough(start, delta), moveThrough(end, delta));
  };

  textarea.addEventListener("input", onInput);
  text.observe(onChange);
  return () => {
    textarea.removeEventListener("input", onInput);
    text.unobserve(onChange);
  };
}
