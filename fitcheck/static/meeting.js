// The review meeting (templates/meeting/). The presenter view and the phone remote follow
// the meeting's current step, kept by the server: each asks for the meeting's state every
// moment (a 304 while nothing changed, thanks to its ETag) and shows the step it names.
// Stepping (keys, links, buttons) posts the new step and shows it at once. Without
// JavaScript every control is a link or a form that works by reloading the page.
// Texts come from data attributes the templates rendered (and escaped); fragments of
// HTML come rendered and escaped by the server, from the same templates as the page.
(() => {
  "use strict";

  // The summary page: its print button.
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }

  const root = document.body;
  const role = root.dataset.meeting;
  if (role !== "presenter" && role !== "remote") return;

  const stateUrl = root.dataset.stateUrl;
  const stepUrl = root.dataset.stepUrl;
  const last = Number(root.dataset.lastStep);
  const pollMs = Number(root.dataset.pollMs) || 1500;
  const problem = document.querySelector("[data-meeting-problem]");
  let step = Number(root.dataset.step);
  let revision = Number(root.dataset.revision);
  let etag = root.dataset.etag || null;
  let sending = 0; // step changes on their way: a poll answered meanwhile is already old

  const say = (text) => {
    if (problem) problem.textContent = text || "";
  };

  // Showing a step -------------------------------------------------------------------------

  function traitOf(n) {
    const holder = role === "presenter"
      ? document.querySelector(`.fc-step[data-step="${n}"]`)
      : document.querySelector(`[data-step-button="${n}"]`);
    return holder ? holder.dataset.traitId : "";
  }

  function titleOf(n) {
    const holder = role === "presenter"
      ? document.querySelector(`.fc-step[data-step="${n}"]`)
      : document.querySelector(`[data-step-button="${n}"]`);
    return holder ? holder.dataset.title : "";
  }

  // The commitment form's trait follows the step, unless someone is typing a commitment.
  function followWithForm(n) {
    const form = document.querySelector("form[data-commitment-form]");
    const trait = traitOf(n);
    if (!form || !trait) return;
    const action = form.querySelector('[name="action"]');
    const select = form.querySelector('[name="trait_id"]');
    if (select && action && !action.value.trim()) select.value = trait;
  }

  function show(n) {
    step = n;
    const where = document.querySelector("[data-where]");
    if (where) where.textContent = titleOf(n);
    if (role === "presenter") {
      for (const section of document.querySelectorAll(".fc-step")) {
        section.hidden = Number(section.dataset.step) !== n;
      }
      const prev = document.querySelector('[data-go="prev"]');
      const next = document.querySelector('[data-go="next"]');
      prev.href = `?step=${Math.max(n - 1, 0)}`;
      next.href = `?step=${Math.min(n + 1, last)}`;
      prev.toggleAttribute("aria-disabled", n === 0);
      next.toggleAttribute("aria-disabled", n === last);
      if (n === 0) prev.setAttribute("aria-disabled", "true");
      if (n === last) next.setAttribute("aria-disabled", "true");
      const stage = document.querySelector(".fc-stage");
      if (stage) stage.scrollTop = 0;
    } else {
      const prev = document.querySelector('[data-go="prev"]');
      const next = document.querySelector('[data-go="next"]');
      prev.value = String(Math.max(n - 1, 0));
      next.value = String(Math.min(n + 1, last));
      prev.disabled = n === 0;
      next.disabled = n === last;
      for (const button of document.querySelectorAll("[data-step-button]")) {
        if (Number(button.dataset.stepButton) === n) button.setAttribute("aria-current", "step");
        else button.removeAttribute("aria-current");
      }
    }
    followWithForm(n);
  }

  // What the server says --------------------------------------------------------------------

  function apply(state, newEtag) {
    if (state.ended) {
      window.location.assign(state.summary_url);
      return;
    }
    // Only what is newer than what this screen knows: an answer sent before one of its own
    // changes (or overtaken by another answer) would take it back to an older step.
    if (state.revision <= revision) return;
    revision = state.revision;
    if (newEtag) etag = newEtag;
    if (state.step !== step) show(state.step);
    for (const [traitId, html] of Object.entries(state.commitments || {})) {
      const box = document.querySelector(`[data-commitments-for="${traitId}"]`);
      if (box) box.innerHTML = html; // rendered and escaped by the server
    }
    const agreed = document.querySelector("[data-agreed]");
    if (agreed && state.agreed) agreed.innerHTML = state.agreed;
  }

  async function poll() {
    try {
      const headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      const response = await fetch(stateUrl, { headers, cache: "no-store", credentials: "same-origin" });
      if (response.status === 200) {
        const state = await response.json();
        if (!sending) apply(state, response.headers.get("ETag"));
        say("");
      } else if (response.status === 304) {
        say("");
      } else if (response.status !== 200) {
        say(root.dataset.msgRefresh);
      }
    } catch {
      say(root.dataset.msgOffline);
    }
    window.setTimeout(poll, pollMs);
  }

  function form(fields) {
    const data = new FormData();
    data.append("csrf_token", root.dataset.csrf);
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    return data;
  }

  // One step change on its way at a time: pressed quickly, → → → must not arrive in
  // another order. A step chosen meanwhile waits, and only the last one chosen is sent.
  let waiting = null;

  async function send(n) {
    if (sending) {
      waiting = n;
      return;
    }
    sending += 1;
    try {
      const response = await fetch(stepUrl, {
        method: "POST",
        body: form({ step: String(n), next: role }),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        say(root.dataset.msgRefresh);
        return;
      }
      say("");
      const state = await response.json();
      if (waiting === null) {
        apply(state, response.headers.get("ETag"));
      } else if (state.revision > revision) {
        // Overtaken here already: note how far the meeting got, show the step chosen since.
        revision = state.revision;
        etag = response.headers.get("ETag") || etag;
      }
    } catch {
      say(root.dataset.msgOffline);
    } finally {
      sending -= 1;
      if (waiting !== null) {
        const next = waiting;
        waiting = null;
        send(next);
      }
    }
  }

  function go(n) {
    const target = Math.min(Math.max(n, 0), last);
    if (target === step) return;
    show(target);
    send(target);
  }

  // The presenter: links and keys -----------------------------------------------------------

  if (role === "presenter") {
    document.addEventListener("click", (event) => {
      const link = event.target.closest("[data-go], [data-go-to]");
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      if (link.dataset.goTo !== undefined) go(Number(link.dataset.goTo));
      else go(step + (link.dataset.go === "next" ? 1 : -1));
    });

    const typing = (target) => target.closest("input, textarea, select, [contenteditable]");
    let digits = "";
    let digitTimer = null;
    const jump = () => {
      const n = Number(digits);
      digits = "";
      if (n >= 0 && n < last) go(n);
    };
    document.addEventListener("keydown", (event) => {
      if (event.metaKey || event.ctrlKey || event.altKey || typing(event.target)) return;
      const moves = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
      if (event.key in moves) {
        event.preventDefault();
        go(step + moves[event.key]);
      } else if (event.key === "Home") {
        event.preventDefault();
        go(0);
      } else if (event.key === "End") {
        event.preventDefault();
        go(last);
      } else if (/^[0-9]$/.test(event.key)) {
        // A trait's number: "3" jumps at once; "1" waits a moment for a "2" of trait 12.
        event.preventDefault();
        digits += event.key;
        window.clearTimeout(digitTimer);
        if (Number(digits) * 10 >= last) jump();
        else digitTimer = window.setTimeout(jump, 600);
      }
    });

    const full = document.querySelector("[data-fullscreen]");
    if (full && document.fullscreenEnabled) {
      full.hidden = false;
      const label = () => {
        full.textContent = document.fullscreenElement ? full.dataset.exit : full.dataset.enter;
      };
      full.addEventListener("click", () => {
        if (document.fullscreenElement) document.exitFullscreen();
        else document.documentElement.requestFullscreen().catch(() => {});
      });
      document.addEventListener("fullscreenchange", label);
    }
  }

  // The remote: the step buttons --------------------------------------------------------------

  if (role === "remote") {
    const stepForm = document.querySelector("form[data-step-form]");
    stepForm.addEventListener("submit", (event) => {
      const button = event.submitter;
      if (!button || button.name !== "step") return;
      event.preventDefault();
      go(Number(button.value));
    });
  }

  // Both: a commitment, sent in the background ------------------------------------------------

  document.addEventListener("submit", async (event) => {
    const sent = event.target;
    if (!sent.matches("form[data-commitment-form]")) return;
    event.preventDefault();
    const box = sent.closest("[data-commitment-form-box]");
    const button = sent.querySelector('[type="submit"]');
    if (button) button.disabled = true;
    try {
      // Not `sent.action`: the form's field named "action" would answer.
      const response = await fetch(sent.getAttribute("action"), {
        method: "POST",
        body: new FormData(sent),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await response.json();
      if (body.form && box) box.innerHTML = body.form; // rendered and escaped by the server
      if (response.status === 201) apply(body, response.headers.get("ETag"));
      else if (!body.form) say(body.message || root.dataset.msgRefresh);
      const fresh = box && box.querySelector('[aria-invalid="true"], [name="action"]');
      if (fresh && response.status !== 201) fresh.focus();
    } catch {
      say(root.dataset.msgOffline);
    } finally {
      if (button && button.isConnected) button.disabled = false;
    }
  });

  window.setTimeout(poll, pollMs);
})();
