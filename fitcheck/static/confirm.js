// Ask before launching, revealing, withdrawing or deleting (templates/_confirm.html).
// A control with data-confirm is a link to the action's confirmation page, inside the
// action's real form. Here the click opens a <dialog> instead; confirming posts that form
// directly. Without JavaScript (or without <dialog>) the link opens the page as usual.
// The words come from data attributes rendered (and escaped) by the template; they are
// only ever set as text.
(() => {
  "use strict";
  if (typeof HTMLDialogElement !== "function") return;

  let parts = null;

  function element(tag, className, attributes = {}) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function build() {
    const dialog = element("dialog", "fc-confirm border-0 rounded-3 shadow p-4", {
      "aria-labelledby": "fc-confirm-question",
      "aria-describedby": "fc-confirm-detail",
    });
    dialog.style.maxWidth = "34rem";
    const question = element("h2", "h5", { id: "fc-confirm-question" });
    const detail = element("p", "", { id: "fc-confirm-detail" });
    const nameGroup = element("div", "mb-3");
    const nameLabel = element("label", "form-label", { for: "fc-confirm-name" });
    const nameInput = element("input", "form-control", {
      id: "fc-confirm-name",
      type: "text",
      autocomplete: "off",
      spellcheck: "false",
    });
    nameGroup.append(nameLabel, nameInput);
    const buttons = element("div", "d-flex flex-wrap justify-content-end gap-2");
    const cancel = element("button", "btn btn-outline-secondary", { type: "button" });
    const ok = element("button", "btn", { type: "button" });
    buttons.append(cancel, ok);
    dialog.append(question, detail, nameGroup, buttons);
    document.body.append(dialog);

    cancel.addEventListener("click", () => dialog.close("cancel"));
    ok.addEventListener("click", () => {
      if (!ok.disabled) dialog.close("ok");
    });
    nameInput.addEventListener("input", () => {
      ok.disabled = nameInput.value.trim() !== nameInput.dataset.expected;
    });
    nameInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        ok.click();
      }
    });
    return { dialog, question, detail, nameGroup, nameLabel, nameInput, cancel, ok };
  }

  function ask(trigger, form) {
    parts = parts || build();
    const { dialog, question, detail, nameGroup, nameLabel, nameInput, cancel, ok } = parts;
    const data = trigger.dataset;
    question.textContent = data.confirm;
    detail.textContent = data.confirmDetail || "";
    detail.hidden = !data.confirmDetail;
    cancel.textContent = data.confirmCancel || "Cancel";
    ok.textContent = data.confirmOk || trigger.textContent.trim();
    ok.className = `btn btn-${data.confirmVariant === "danger" ? "danger" : "primary"}`;
    const typed = data.confirmName !== undefined;
    nameGroup.hidden = !typed;
    nameInput.value = "";
    nameInput.dataset.expected = typed ? data.confirmName.trim() : "";
    nameLabel.textContent = data.confirmNameLabel || "";
    ok.disabled = typed;
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue !== "ok") {
        trigger.focus();
        return;
      }
      if (typed) form.elements.namedItem("confirm_name").value = nameInput.value;
      form.submit();
    };
    dialog.showModal();
    (typed ? nameInput : cancel).focus();
  }

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-confirm]");
    if (!trigger) return;
    const form = trigger.closest("form");
    if (!form) return;
    event.preventDefault();
    ask(trigger, form);
  });
})();
