import { createRoot } from "react-dom/client";
import MultiplayerChat from "./MultiplayerChat";
import "./styles.css";

// One chat room per ?room= value; everyone without one meets in "lobby".
const room = new URLSearchParams(location.search).get("room") || "lobby";

createRoot(document.getElementById("root")!).render(<MultiplayerChat room={room} />);
