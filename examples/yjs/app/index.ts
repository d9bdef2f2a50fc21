import YPartyKitProvider from "y-partykit/provider";
import * as Y from "yjs";
import { bindTextarea } from "./textarea";

// PARTYKIT_HOST is defined by the build (gopk dev and partykit dev both set
// it to the server's host); the room comes from ?room= so that two tabs on
// the same URL edit the same document.
declare const PARTYKIT_HOST: string;

const room = new URLSearchParams(location.search).get("room") || "welcome";
const doc = new Y.Doc();
const provider = new YPartyKitProvider(PARTYKIT_HOST, room, doc);

const textarea = document.querySelector<HTMLTextAreaElement>("#editor")!;
const status = document.querySelector<HTMLElement>("#status")!;
const people = document.querySelector<HTMLUListElement>("#people")!;
document.querySelector<HTMLElement>("#room")!.textContent = room;

// Everyone edits the Y.Text named "text".
bindTextarea(textarea, doc.getText("text"));

provider.on("status", ({ status: s }: { status: string }) => {
  status.textContent = s;
  status.dataset.status = s;
});
provider.on("sync", (synced: boolean) => {
  textarea.disabled = !synced;
  if (synced) textarea.placeholder = "Type here; everyone in this room sees it.";
});

// Presence: a name and a colour per tab, shown to everyone in the room.
const animals = ["otter", "heron", "lynx", "newt", "wren", "ibex", "koala", "moth"];
const me = {
  name: sessionStorage.getItem("yjs-name") ?? `${animals[Math.floor(Math.random() * animals.length)]}-${Math.floor(Math.random() * 100)}`,
  color: `hsl(${Math.floor(Math.random() * 360)} 70% 45%)`,
};
sessionStorage.setItem("yjs-name", me.name);
provider.awareness.setLocalStateField("user", me);

function showPeople() {
  people.replaceChildren();
  for (const [clientID, state] of provider.awareness.getStates()) {
    const user = state.user as typeof me | undefined;
    if (!user) continue;
    const li = document.createElement("li");
    li.textContent = clientID === doc.clientID ? `${user.name} (you)` : user.name;
    li.style.color = user.color;
    people.append(li);
  }
}
provider.awareness.on("change", showPeople);
showPeople();
