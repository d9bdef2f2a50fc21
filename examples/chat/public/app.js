// A plain-JS client for the chat party: one WebSocket with reconnects,
// reusing its connection id (_pk) the way partysocket does.
const room = new URLSearchParams(location.search).get("room") || "lobby";
const id = sessionStorage.getItem("chat-id") || crypto.randomUUID();
sessionStorage.setItem("chat-id", id);

const $ = (sel) => document.querySelector(sel);
let socket;
let myName = sessionStorage.getItem("chat-name");
let retry = 0;
const cursors = new Map();

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/parties/main/${encodeURIComponent(room)}?_pk=${id}`);
  socket.addEventListener("open", () => {
    retry = 0;
    $("#status").textContent = `room “${room}”`;
    if (myName) send({ type: "identify", name: myName });
  });
  socket.addEventListener("message", (e) => handle(JSON.parse(e.data)));
  socket.addEventListener("close", () => {
    $("#status").textContent = "reconnecting…";
    setTimeout(connect, Math.min(5000, 250 * 2 ** retry++));
  });
}

function send(msg) {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
}

function handle(msg) {
  switch (msg.type) {
    case "history":
      $("#messages").replaceChildren(...msg.messages.map(bubble));
      break;
    case "chat":
      $("#messages").append(bubble(msg.message));
      window.scrollTo(0, document.body.scrollHeight);
      break;
    case "presence":
      $("#online").textContent = `Online (${msg.users.length})`;
      $("#users").replaceChildren(...msg.users.map((u) => {
        const li = document.createElement("li");
        const dot = document.createElement("span");
        dot.className = "dot";
        dot.style.background = u.color;
        li.append(dot, u.id === id ? `${u.name} (you)` : u.name);
        return li;
      }));
      for (const [cid, el] of cursors) {
        if (!msg.users.some((u) => u.id === cid)) { el.remove(); cursors.delete(cid); }
      }
      break;
    case "cursor":
      showCursor(msg);
      break;
    case "error":
      $("#status").textContent = msg.message;
      break;
  }
}

function bubble(m) {
  const li = document.createElement("li");
  if (m.user.id === id) li.className = "mine";
  const who = document.createElement("span");
  who.className = "who";
  who.style.color = m.user.color;
  who.textContent = m.user.name;
  li.append(who, m.text);
  return li;
}

function showCursor({ id: cid, x, y }) {
  let el = cursors.get(cid);
  if (!el) {
    el = document.createElement("div");
    el.className = "cursor";
    el.style.background = "#555";
    el.textContent = "•";
    $("#cursors").append(el);
    cursors.set(cid, el);
  }
  el.style.left = `${x * innerWidth}px`;
  el.style.top = `${y * innerHeight}px`;
}

$("#join").addEventListener("submit", (e) => {
  e.preventDefault();
  myName = $("#name").value.trim();
  if (!myName) return;
  sessionStorage.setItem("chat-name", myName);
  send({ type: "identify", name: myName });
  $("#join").hidden = true;
  $("#send").hidden = false;
  $("#text").focus();
});

$("#send").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("#text").value;
  if (!text.trim()) return;
  send({ type: "chat", text });
  $("#text").value = "";
});

let lastMove = 0;
addEventListener("pointermove", (e) => {
  const now = Date.now();
  if (now - lastMove < 50) return;
  lastMove = now;
  send({ type: "cursor", x: e.clientX / innerWidth, y: e.clientY / innerHeight });
});

if (myName) {
  $("#join").hidden = true;
  $("#send").hidden = false;
}
connect();
