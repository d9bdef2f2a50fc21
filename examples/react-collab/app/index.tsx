import { createRoot } from "react-dom/client";
import CollabEditor from "./CollabEditor";
import "./styles.css";

const params = new URLSearchParams(location.search);
// One document per ?room=; ?name= sets how others see you.
const room = params.get("room") || "welcome";
const name = params.get("name") || `Guest ${Math.floor(Math.random() * 900 + 100)}`;

createRoot(document.getElementById("root")!).render(<CollabEditor room={room} name={name} />);
