// The brand-partner workshop's screens (templates/workshops/): every phone and the board
// follow the room within a few seconds, and the board groups notes by drag and drop.
//
// Following: the page asks its small state URL every few seconds with the ETag it last
// saw (304 while nothing changed, one query on the server). A new version fetches the page
// again and swaps its live region, unless something in it is being typed or chosen (a phone
// that writes or votes shows only its owner's notes or dots, and skips this); a new phase
// reloads the page, or, with a note half written, says so and waits for a click.
// Without JavaScript the pages are ordinary forms, and a reload shows the room.
//
// Dragging fills in the board's own select-and-merge form and submits it: a note dropped
// on a cluster moves there ("new": a cluster of its own), a cluster dropped on another
// merges with it. Errors come back inline, as they do without JavaScript.
(() => {
  "use strict";

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });

  const screen = document.getElementById("fc-screen");
  if (!screen) return;
  const stateUrl = screen.dataset.stateUrl;
  const every = Number(screen.dataset.poll) || 2500;
  const phase = screen.dataset.phase;
  // A phone that shows only its owner's notes or dots follows the phase, not every change.
  const followRoom = screen.dataset.follow !== "phase";
  let etag = null;
  let failures = 0;
  let dragging = null;
  let stopped = false;

  function changed(element) {
    if (element.type === "hidden" || element.type === "submit" || element.type === "button") {
      return false;
    }
    if (element === document.activeElement) return true;
    if (element.type === "checkbox" || element.type === "radio") {
      return element.checked !== element.defaultChecked;
    }
    if (element.tagName === "SELECT") {
      const options = [...element.options];
      if (element.multiple) return options.some((option) => option.selected !== option.defaultSelected);
      // Without a `selected` option, the first is the one the page came with.
      return element.selectedIndex !== Math.max(0, options.findIndex((o) => o.defaultSelected));
    }
    return element.value !== element.defaultValue;
  }

  function dirty(root) {
    return [...root.querySelectorAll("input, textarea, select")].some(changed);
  }

  function moved() {
    if (dirty(document)) {
      const banner = screen.querySelector("[data-moved]");
      if (banner) banner.classList.remove("d-none");
      stopped = true;
    } else {
      window.location.reload();
    }
  }

  // A confirmation open (static/confirm.js) posts a form of the live region: keep it.
  function asking() {
    return document.querySelector("dialog[open]") !== null;
  }

  // The page again, its live region swapped in; false when it could not be (yet).
  async function refresh() {
    const live = screen.querySelector("[data-live]");
    if (!live || dragging || asking() || dirty(live)) return false;
    const response = await fetch(window.location.pathname, { credentials: "same-origin" });
    if (!response.ok) return false;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("fc-screen");
    const region = page.querySelector("[data-live]");
    if (!fresh || !region) return false;
    if (fresh.dataset.phase !== phase) {
      moved();
      return true;
    }
    if (asking() || dirty(live)) return false; // typed into while the page was on its way
    live.replaceWith(document.adoptNode(region));
    screen.dataset.version = fresh.dataset.version;
    return true;
  }

  async function poll() {
    if (stopped) return;
    if (!document.hidden) {
      try {
        const response = await fetch(stateUrl, {
          headers: etag ? { "If-None-Match": etag } : {},
          cache: "no-store",
          credentials: "same-origin",
        });
        if (response.status === 200) {
          const state = await response.json();
          etag = response.headers.get("ETag");
          if (state.phase !== phase) {
            moved();
          } else if (
            followRoom &&
            String(state.version) !== screen.dataset.version &&
            !(await refresh())
          ) {
            etag = null; // not shown yet: ask again next time
          }
        }
        failures = response.ok || response.status === 304 ? 0 : failures + 1;
      } catch {
        failures += 1;
      }
    }
    if (!stopped) window.setTimeout(poll, every * Math.min(8, 2 ** failures));
  }
  window.setTimeout(poll, every);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) failures = 0;
  });

  // The note being written, turned on us as its mirror question.
  const noteForm = document.querySelector("[data-note-form]");
  if (noteForm) {
    const text = noteForm.querySelector("input[name=text]");
    const echo = noteForm.querySelector("[data-echo]");
    const show = () => {
      const value = text.value.trim();
      echo.textContent = value ? `“${value}”` : "";
      echo.hidden = !value;
    };
    text.addEventListener("input", show);
    show();
  }

  // Drag and drop on the board's group phase.
  const groupForm = document.getElementById("fc-group-form");
  if (!groupForm) return;
  const boxes = (name) => document.querySelectorAll(`input[form="fc-group-form"][name="${name}"]`);

  function submitWith(kind, ids, target) {
    for (const box of [...boxes("note_ids"), ...boxes("cluster_ids")]) box.checked = false;
    for (const id of ids) {
      const box = document.querySelector(
        `input[form="fc-group-form"][name="${kind}"][value="${id}"]`,
      );
      if (box) box.checked = true;
    }
    if (kind === "note_ids") groupForm.elements.to_cluster.value = target;
    groupForm.elements.name.value = "";
    groupForm.requestSubmit(groupForm.elements[kind === "note_ids" ? "move" : "merge"]);
  }

  document.addEventListener("dragstart", (event) => {
    const note = event.target.closest("[data-note]");
    const cluster = event.target.closest("[data-cluster]");
    if (note) {
      dragging = { note: note.dataset.note, from: cluster && cluster.dataset.cluster };
    } else if (cluster && cluster.dataset.cluster !== "new") {
      dragging = { cluster: cluster.dataset.cluster };
    } else {
      return;
    }
    event.dataTransfer.setData("text/plain", JSON.stringify(dragging));
    event.dataTransfer.effectAllowed = "move";
    (note || cluster).classList.add("fc-dragging");
  });

  function dropTarget(event) {
    const target = event.target.closest("[data-cluster]");
    if (!target || !dragging) return null;
    const id = target.dataset.cluster;
    if (dragging.cluster && (id === dragging.cluster || id === "new")) return null;
    if (dragging.note && id === dragging.from) return null;
    return target;
  }

  document.addEventListener("dragover", (event) => {
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    for (const other of document.querySelectorAll(".fc-drop-target")) {
      if (other !== target) other.classList.remove("fc-drop-target");
    }
    target.classList.add("fc-drop-target");
  });

  document.addEventListener("drop", (event) => {
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    const id = target.dataset.cluster;
    if (dragging.note) submitWith("note_ids", [dragging.note], id);
    else submitWith("cluster_ids", [id, dragging.cluster]);
  });

  document.addEventListener("dragend", () => {
    dragging = null;
    for (const element of document.querySelectorAll(".fc-dragging, .fc-drop-target")) {
      element.classList.remove("fc-dragging", "fc-drop-target");
    }
  });
})();
