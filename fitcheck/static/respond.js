// Autosave of the survey: after a change, wait a moment, then post the whole form.
// Without JavaScript the Save draft button does the same; nothing here is needed to answer.
(() => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const url = form.dataset.autosave;
  const status = document.getElementById("save-status");
  const csrf = form.querySelector('input[name="csrf_token"]');
  const DELAY = 1500;
  const HOLD_MAX = 3000;

  let timer = null;       // the pending save, if a change is waiting
  let inFlight = null;    // the save being sent, a promise, if one is
  let again = false;      // a change arrived while saving
  let leaving = false;    // the form is being sent the ordinary way
  let holding = false;    // the form waits for a save on its way

  const post = () => fetch(url, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });

  async function save() {
    timer = null;
    if (leaving) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = send();
    await inFlight;
    inFlight = null;
    if (again) {
      again = false;
      schedule();
    }
  }

  async function send() {
    status.textContent = form.dataset.saving;
    try {
      let response = await post();
      let body = await response.json();
      if (body.csrf_token) {
        // The page's token expired (or the session did): take the fresh one, try once more.
        csrf.value = body.csrf_token;
        if (response.status === 400) {
          response = await post();
          body = await response.json();
        }
      }
      status.textContent = body.message || "";
    } catch {
      status.textContent = form.dataset.failed;
    }
  }

  function schedule() {
    if (leaving) return;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (event) => {
    leaving = true;
    clearTimeout(timer);
    timer = null;
    if (inFlight && !holding) {
      // A save is on its way with what the page held a moment ago. Sent now, this form
      // could be written first and then overwritten by that older copy; so send it once
      // the save has come back, or after HOLD_MAX if the network keeps it that long.
      event.preventDefault();
      holding = true;
      const submitter = event.submitter;
      const go = () => {
        clearTimeout(cap);
        if (!holding) return;
        holding = false;
        inFlight = null;
        form.requestSubmit(submitter);
      };
      const cap = setTimeout(go, HOLD_MAX);
      inFlight.then(go, go);
    } else if (holding) {
      event.preventDefault();  // a second click while the first waits: the first goes
    }
  });
  // Back from the browser's page cache: the form is live again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) leaving = false;
  });
  // Leaving the page with a change still waiting: send it without waiting for an answer.
  window.addEventListener("pagehide", () => {
    if (timer !== null && !leaving) {
      clearTimeout(timer);
      timer = null;
      navigator.sendBeacon(url, new FormData(form));
    }
  });
})();
