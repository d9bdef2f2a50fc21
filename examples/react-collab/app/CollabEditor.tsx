import { useEffect, useRef, useState } from "react";
import * as Y from "yjs";
import YPartyKitProvider from "y-partykit/provider";

// Defined for the client bundle by the dev server / deploy (serve.build).
declare const PARTYKIT_HOST: string;

const COLORS = ["#e11d48", "#2563eb", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4d7c0f"];

type Peer = { clientId: number; name: string; color: string };

export default function CollabEditor({ room, name }: { room: string; name: string }) {
  const [provider, setProvider] = useState<YPartyKitProvider | null>(null);

  useEffect(() => {
    const doc = new Y.Doc();
    const p = new YPartyKitProvider(PARTYKIT_HOST, room, doc);
    setProvider(p);
    return () => {
      p.destroy();
      doc.destroy();
    };
  }, [room]);

  if (!provider) return null;
  return <Editor provider={provider} room={room} name={name} />;
}

function Editor({ provider, room, name }: { provider: YPartyKitProvider; room: string; name: string }) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [status, setStatus] = useState("connecting");
  const [synced, setSynced] = useState(false);
  const peers = usePeers(provider, name);
  const ytext = provider.doc.getText("content");

  useEffect(() => {
    const onStatus = ({ status }: { status: string }) => setStatus(status);
    const onSync = (s: boolean) => setSynced(s);
    provider.on("status", onStatus);
    provider.on("sync", onSync);
    // The provider started connecting before this effect ran: catch up.
    setStatus(provider.wsconnected ? "connected" : "connecting");
    setSynced(provider.synced);
    return () => {
      provider.off("status", onStatus);
      provider.off("sync", onSync);
    };
  }, [provider]);

  useEffect(() => bindTextarea(ytext, textarea.current!), [ytext]);

  return (
    <div className="editor">
      <header>
        <h1>{room}</h1>
        <span className={`status ${status}`} role="status">
          {status === "connected" ? (synced ? "synced" : "syncing…") : status === "connecting" ? "connecting…" : "offline"}
        </span>
      </header>
      <ul className="peers" aria-label="Editing now">
        {peers.map((p) => (
          <li key={p.clientId} style={{ borderColor: p.color }}>
            <span className="dot" style={{ background: p.color }} />
            {p.name}
            {p.clientId === provider.doc.clientID && " (you)"}
          </li>
        ))}
      </ul>
      <textarea
        ref={textarea}
        aria-label="Document"
        placeholder="Start typing; everyone in this room sees it as you type."
        spellCheck={false}
        style={{ caretColor: colorOf(provider.doc.clientID) }}
      />
    </div>
  );
}

function colorOf(clientId: number) {
  return COLORS[clientId % COLORS.length];
}

// usePeers publishes who we are through Yjs awareness and lists everyone
// in the room (ourselves included) with their colour.
function usePeers(provider: YPartyKitProvider, name: string): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  useEffect(() => {
    const awareness = provider.awareness;
    awareness.setLocalStateField("user", { name, color: colorOf(provider.doc.clientID) });
    const update = () => {
      const list: Peer[] = [];
      awareness.getStates().forEach((state, clientId) => {
        if (state.user) list.push({ clientId, name: state.user.name, color: state.user.color });
      });
      list.sort((a, b) => a.name.localeCompare(b.name));
      setPeers(list);
    };
    update();
    awareness.on("change", update);
    return () => awareness.off("change", update);
  }, [provider, name]);
  return peers;
}

// bindTextarea keeps a textarea and a Y.Text equal: typing becomes one
// minimal edit of the Y.Text, and remote edits rewrite the textarea while
// keeping the local selection where it was in the text around it.
function bindTextarea(ytext: Y.Text, el: HTMLTextAreaElement) {
  el.value = ytext.toString();

  const onInput = () => {
    const before = ytext.toString();
    const after = el.value;
    const { start, removed, inserted } = diff(before, after);
    ytext.doc!.transact(() => {
      if (removed > 0) ytext.delete(start, removed);
      if (inserted) ytext.insert(start, inserted);
    });
  };

  const onRemote = (event: Y.YTextEvent, tx: Y.Transaction) => {
    if (tx.local) return; // typed here: the textarea already shows it
    let { selectionStart: from, selectionEnd: to } = el;
    let index = 0;
    for (const op of event.delta) {
      if (op.retain) {
        index += op.retain;
      } else if (typeof op.insert === "string") {
        const n = op.insert.length;
        if (index < from) from += n;
        if (index < to) to += n;
        index += n;
      } else if (op.delete) {
        from -= Math.max(0, Math.min(op.delete, from - index));
        to -= Math.max(0, Math.min(op.delete, to - index));
      }
    }
    el.value = ytext.toString();
    if (document.activeElement === el) el.setSelectionRange(from, to);
  };

  el.addEventListener("input", onInput);
  ytext.observe(onRemote);
  return () => {
    el.removeEventListener("input", onInput);
    ytext.unobserve(onRemote);
  };
}

// diff finds the one contiguous edit that turns before into after (an
// input event changes one range), in UTF-16 units as Y.Text counts them.
function diff(before: string, after: string) {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // Never split a surrogate pair.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return { start, removed: endBefore - start, inserted: after.slice(start, endAfter) };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
