import { mount } from "svelte";
import "./app.css";
// Applies the saved theme before the first paint.
import "./lib/theme.svelte";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");
export default mount(App, { target });
