// Autosave of the survey: after a change, wait a moment, then post the whole form.
// Without JavaScript the Save draft button does the same; nothing here is needed to answer.
(() => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const url = form.dataset.autosave;
  const status = document.getElementById("save-status");
  const csrf = form.querySelector('input[name="csrf_token"]');
  const DELAY = 1500;

  let timer = null;       // the pending save, if a change is waiting
  let inFlight = null;    // the save being sent, a promise, if one is
  let again = false;      // a change arrived while saving
  let leaving = false;    // the form is being sent the ordinary way

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
    if (inFlight) {
      // A save is on its way: its answer refreshes the session cookie. Sent now, this form's
      // answer (carrying the "Saved" notice in that cookie) could arrive first and then be
      // overwritten by it; so send the form once the save has come back.
      event.preventDefault();
      const submitter = event.submitter;
      inFlight.then(() => {
        inFlight = null;
        form.requestSubmit(submitter);
      });
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
