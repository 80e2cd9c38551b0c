// An article page's marks: show the facts a passage supports when it is hovered, focused or
// chosen, and go to the passage the address's #q12-40 names. No library, nothing fetched.
(function () {
  "use strict";
  const text = document.getElementById("text");
  const popup = document.getElementById("ev-popup");
  if (!text || !popup) return;
  let pinned = null;
  let hiding = null;
  let quiet = false; // focus given back by Escape: the facts stay closed

  // The spans at a mark: its own, then those it is inside of (innermost first).
  function spansAt(mark) {
    const keys = [];
    for (let m = mark; m; m = m.parentElement && m.parentElement.closest("mark.ev")) {
      if (!keys.includes(m.dataset.span)) keys.push(m.dataset.span);
    }
    return keys;
  }

  function pieces(key) {
    return text.querySelectorAll('mark.ev[data-span="' + CSS.escape(key) + '"]');
  }

  function light(key, name) {
    text.querySelectorAll("mark.ev." + name).forEach((m) => m.classList.remove(name));
    if (key) pieces(key).forEach((m) => m.classList.add(name));
  }

  function show(mark) {
    clearTimeout(hiding);
    const keys = spansAt(mark);
    const shown = keys
      .map((key) => document.getElementById("f-" + key))
      .filter(Boolean)
      .map((facts) => {
        const copy = facts.cloneNode(true);
        copy.removeAttribute("id");
        return copy;
      });
    popup.replaceChildren(...shown);
    popup.setAttribute("aria-label", "facts supported by: " + mark.textContent);
    popup.hidden = false;
    light(keys[0], "active");
    place(mark);
  }

  function place(mark) {
    const box = mark.getClientRects()[0] || mark.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    popup.style.top = window.scrollY + box.bottom + 6 + "px";
    const left = Math.min(box.left, width - popup.offsetWidth - 8);
    popup.style.left = window.scrollX + Math.max(8, left) + "px";
  }

  function hide() {
    if (pinned) return;
    popup.hidden = true;
    light(null, "active");
  }

  function hideSoon() {
    clearTimeout(hiding);
    hiding = setTimeout(hide, 250);
  }

  function pin(mark) {
    pinned = first(mark);
    show(mark);
    popup.classList.add("pinned");
    popup.focus({ preventScroll: true });
  }

  function unpin(refocus) {
    const was = pinned;
    pinned = null;
    popup.classList.remove("pinned");
    hide();
    if (refocus && was) {
      quiet = true;
      was.focus({ preventScroll: true });
      quiet = false;
    }
  }

  // The focusable first piece of a span (a crossing span is cut into pieces).
  function first(mark) {
    return document.getElementById(mark.dataset.span) || mark;
  }

  text.addEventListener("mouseover", (event) => {
    const mark = event.target.closest("mark.ev");
    if (mark && !pinned) show(mark);
  });
  text.addEventListener("mouseout", (event) => {
    if (event.target.closest("mark.ev") && !pinned) hideSoon();
  });
  popup.addEventListener("mouseenter", () => clearTimeout(hiding));
  popup.addEventListener("mouseleave", () => {
    if (!pinned) hideSoon();
  });
  text.addEventListener("focusin", (event) => {
    const mark = event.target.closest("mark.ev");
    if (mark && !pinned && !quiet) show(mark);
  });
  text.addEventListener("focusout", (event) => {
    if (!pinned && !popup.contains(event.relatedTarget)) hideSoon();
  });
  text.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.ev");
    if (mark) pin(mark);
  });
  text.addEventListener("keydown", (event) => {
    const mark = event.target.closest("mark.ev");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      pin(mark);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && (pinned || !popup.hidden)) unpin(true);
  });
  document.addEventListener("click", (event) => {
    if (pinned && !popup.contains(event.target) && !event.target.closest("mark.ev")) {
      unpin(false);
    }
  });

  // #q12-40: scroll to that span, light it up and show its facts.
  function goToHash() {
    const key = decodeURIComponent(location.hash.slice(1));
    const mark = key && document.getElementById(key);
    if (!mark || !mark.matches("mark.ev")) return;
    unpin(false);
    light(key, "target");
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
    show(mark);
  }
  window.addEventListener("hashchange", goToHash);
  // Again once loaded: the browser's own jump to the anchor comes after the script has run.
  window.addEventListener("load", () => location.hash && goToHash());
  document.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#q"]');
    if (link && link.getAttribute("href") === location.hash) goToHash();
  });
  goToHash();
})();
