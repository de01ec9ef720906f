// Dovetail's page behaviour, loaded as a module from our own static files (the CSP allows
// scripts from 'self' only: no inline scripts or on...= handlers in templates).
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

initAll();
// For the browser tests: the page's module (and so nhsuk-frontend) has loaded.
document.documentElement.dataset.dovetailJs = "ready";

// <button data-dovetail-print>: print the page (the registration letter).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest("[data-dovetail-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
