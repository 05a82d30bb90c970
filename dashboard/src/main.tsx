// Entry point. A token in the address (#access_token=…) is taken, and removed from the address
// bar, before anything renders.
import { createRoot } from "react-dom/client";
import { Dashboard } from "./app.tsx";
import { takeTokenFromFragment, tokenStore } from "./auth/access-token.ts";
import "./styles.css";

const fromAddress = takeTokenFromFragment(window.location, window.history);
if (fromAddress !== null) tokenStore.write(fromAddress);

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(<Dashboard />);
