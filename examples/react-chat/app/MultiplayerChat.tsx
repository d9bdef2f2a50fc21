import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import usePartySocket from "partysocket/react";

// Defined by the dev server / deploy for the client bundle (serve.build):
// where the PartyKit server runs.
declare const PARTYKIT_HOST: string;

// The protocol of party/index.ts.
type User = { id: string; name: string; color: string };
type Message = { id: string; user: User; text: string; at: number };
type ServerMessage =
  | { type: "history"; messages: Message[] }
  | { type: "presence"; users: User[] }
  | { type: "join"; user: User }
  | { type: "leave"; id: string }
  | { type: "chat"; message: Message }
  | { type: "cursor"; id: string; x: number; y: number }
  | { type: "error"; message: string };

const NAME_KEY = "react-chat-name";

export default function MultiplayerChat({ room }: { room: string }) {
  const [name, setName] = useState(() => sessionStorage.getItem(NAME_KEY) ?? "");
  const [messages, setMessages] = useState<Message[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [online, setOnline] = useState(false);
  const [problem, setProblem] = useState("");
  // The socket's handlers outlive renders; they read the name from here.
  const nameRef = useRef(name);
  nameRef.current = name;

  const socket = usePartySocket({
    host: PARTYKIT_HOST,
    room,
    onOpen() {
      setOnline(true);
      setProblem("");
      // The server forgets who is online when it restarts: say who we are
      // again on every (re)connect.
      if (nameRef.current) socket.send(JSON.stringify({ type: "identify", name: nameRef.current }));
    },
    onClose() {
      setOnline(false);
    },
    onMessage(event) {
      const msg = JSON.parse(event.data) as ServerMessage;
      switch (msg.type) {
        case "history":
          setMessages(msg.messages);
          break;
        case "chat":
          setMessages((list) => [...list, msg.message]);
          break;
        case "presence":
          setUsers(msg.users);
          break;
        case "leave":
          setUsers((list) => list.filter((u) => u.id !== msg.id));
          break;
        case "error":
          setProblem(msg.message);
          break;
      }
    },
  });

  function join(name: string) {
    sessionStorage.setItem(NAME_KEY, name);
    setName(name);
    socket.send(JSON.stringify({ type: "identify", name }));
  }

  function say(text: string) {
    socket.send(JSON.stringify({ type: "chat", text }));
  }

  return (
    <div className="chat">
      <header>
        <h1>#{room}</h1>
        <span className={online ? "status online" : "status"} role="status">
          {online ? "connected" : "reconnecting…"}
        </span>
      </header>
      <aside className="presence">
        <h2>Online ({users.length})</h2>
        <ul>
          {users.map((u) => (
            <li key={u.id}>
              <span className="dot" style={{ background: u.color }} />
              {u.name}
              {u.id === socket.id && <span className="you"> (you)</span>}
            </li>
          ))}
        </ul>
      </aside>
      <main>
        <Messages messages={messages} me={socket.id} />
        {problem && <p className="problem">{problem}</p>}
        {name ? <Composer onSend={say} /> : <JoinForm onJoin={join} />}
      </main>
    </div>
  );
}

function Messages({ messages, me }: { messages: Message[]; me: string }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [messages]);
  if (messages.length === 0) return <p className="empty">No messages yet. Say hello!</p>;
  return (
    <ol className="messages" aria-label="Messages">
      {messages.map((m) => (
        <li key={m.id} className={m.user.id === me ? "bubble mine" : "bubble theirs"}>
          <span className="who" style={{ color: m.user.color }}>
            {m.user.id === me ? "You" : m.user.name}
          </span>
          <span className="text">{m.text}</span>
          <time dateTime={new Date(m.at).toISOString()}>
            {new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
          </time>
        </li>
      ))}
      <li ref={end} aria-hidden className="end" />
    </ol>
  );
}

function Composer({ onSend }: { onSend: (text: string) => void }) {
  const [text, setText] = useState("");
  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter starts a new line, and an IME composing a
    // character keeps its Enter.
    if (e.key !== "Enter" || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    if (!text.trim()) return;
    onSend(text);
    setText("");
  }
  return (
    <textarea
      className="composer"
      aria-label="Message"
      placeholder="Type a message, Enter to send"
      rows={2}
      value={text}
      autoFocus
      onChange={(e) => setText(e.target.value)}
      onKeyDown={onKeyDown}
    />
  );
}

function JoinForm({ onJoin }: { onJoin: (name: string) => void }) {
  const [draft, setDraft] = useState("");
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (draft.trim()) onJoin(draft.trim());
  }
  return (
    <form className="join" onSubmit={onSubmit}>
      <input
        aria-label="Your name"
        placeholder="Your name"
        value={draft}
        autoFocus
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit">Join</button>
    </form>
  );
}
