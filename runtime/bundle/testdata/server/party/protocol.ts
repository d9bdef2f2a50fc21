export type ClientMessage =
  | { type: "identify"; name: string }
  | { type: "chat"; text: string }
  | { type: "cursor"; x: number; y: number };

export type ServerMessage =
  | { type: "welcome"; id: string; history: unknown[] }
  | { type: "join"; id: string; name: string; color: string }
  | { type: "leave"; id: string; name: string }
  | { type: "presence"; users: { id: string; name: string; color: string }[] }
  | { type: "chat"; from: string; text: string; at: number }
  | { type: "cursor"; id: string; x: number; y: number }
  | { type: "error"; message: string };

export function parseMessage(raw: string): ClientMessage {
  const msg = JSON.parse(raw);
  if (typeof msg !== "object" || msg === null || typeof msg.type !== "string") {
    throw new Error("message must be an object with a type");
  }
  switch (msg.type) {
    case "identify":
      if (typeof msg.name !== "string") throw new Error("identify needs a name");
      return msg;
    case "chat":
      if (typeof msg.text !== "string") throw new Error("chat needs text");
      return msg;
    case "cursor":
      if (typeof msg.x !== "number" || typeof msg.y !== "number") throw new Error("cursor needs x and y");
      return msg;
  }
  throw new Error(`unknown message type ${msg.type}`);
}
